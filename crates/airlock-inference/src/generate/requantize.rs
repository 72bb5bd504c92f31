//! Re-quantizes the weights of a GGUF file to Q8_0 at load time.
//!
//! candle has no SIMD kernel for Q4_1 matrix-vector products, so the shipped
//! Q4_1 file decodes at a fraction of llama.cpp's speed, while Q8_0 has AVX
//! kernels. Every Q4_1 matrix is dequantized and quantized again as Q8_0
//! (Q8_0 is finer than Q4_1, so this keeps the model's output; Q4_0 would
//! not). Small and 1-D tensors (norms) and other types stay as they are.
//! The result is a new in-memory GGUF that candle's llama loader reads like
//! the original file.

use candle_core::quantized::gguf_file::{self, Content};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Result};
use std::io::{Cursor, Read, Seek};

/// Types re-quantized to Q8_0 because candle has no fast CPU kernel for them.
const SLOW_TYPES: &[GgmlDType] = &[GgmlDType::Q4_1];
/// The fast type they become.
const TARGET: GgmlDType = GgmlDType::Q8_0;

/// What re-quantizing did, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequantizeReport {
    pub converted: usize,
    pub kept: usize,
}

/// Reads every tensor of `content` from `reader`, converts the slow ones to
/// Q8_0 and writes a GGUF with the same metadata (minus `skip_metadata`
/// keys) and tensors into memory.
pub fn requantize_to_q8_0<R: Read + Seek>(
    content: &Content,
    reader: &mut R,
    skip_metadata: impl Fn(&str) -> bool,
) -> Result<(Vec<u8>, RequantizeReport)> {
    let device = Device::Cpu;
    let mut report = RequantizeReport::default();
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort();
    let mut tensors = Vec::with_capacity(names.len());
    for name in names {
        let tensor = content.tensor(reader, name, &device)?;
        let tensor = if should_convert(&tensor) {
            report.converted += 1;
            QTensor::quantize(&tensor.dequantize(&device)?, TARGET)?
        } else {
            report.kept += 1;
            tensor
        };
        tensors.push((name.as_str(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .filter(|(key, _)| key.as_str() != "general.alignment" && !skip_metadata(key))
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensor_refs)?;
    Ok((out.into_inner(), report))
}

/// A matrix of a slow type whose rows split into whole Q8_0 blocks.
fn should_convert(tensor: &QTensor) -> bool {
    let dims = tensor.shape().dims();
    SLOW_TYPES.contains(&tensor.dtype())
        && dims.len() >= 2
        && dims
            .last()
            .is_some_and(|&row| row.is_multiple_of(TARGET.block_size()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Tensor;

    fn gguf_with(tensors: &[(&str, &QTensor)]) -> Vec<u8> {
        let arch = gguf_file::Value::String("test".to_string());
        let mut out = Cursor::new(Vec::new());
        gguf_file::write(&mut out, &[("general.architecture", &arch)], tensors)
            .expect("writes gguf");
        out.into_inner()
    }

    #[test]
    fn converts_q4_1_matrices_and_keeps_the_rest() {
        let device = Device::Cpu;
        let values: Vec<f32> = (0..64 * 4).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
        let matrix = Tensor::from_vec(values, (4, 64), &device).expect("tensor");
        let q4_1 = QTensor::quantize(&matrix, GgmlDType::Q4_1).expect("quantize");
        let norm = QTensor::quantize(
            &Tensor::ones(64, candle_core::DType::F32, &device).expect("ones"),
            GgmlDType::F32,
        )
        .expect("f32");
        let file = gguf_with(&[("w", &q4_1), ("norm", &norm)]);
        let mut reader = Cursor::new(file);
        let content = Content::read(&mut reader).expect("reads");
        let (bytes, report) = requantize_to_q8_0(&content, &mut reader, |_| false).expect("ok");
        assert_eq!(
            report,
            RequantizeReport {
                converted: 1,
                kept: 1
            }
        );

        let mut reader = Cursor::new(bytes);
        let content = Content::read(&mut reader).expect("re-reads");
        let w = content.tensor(&mut reader, "w", &device).expect("w");
        assert_eq!(w.dtype(), GgmlDType::Q8_0);
        assert_eq!(w.shape().dims(), &[4, 64]);
        let norm = content.tensor(&mut reader, "norm", &device).expect("norm");
        assert_eq!(norm.dtype(), GgmlDType::F32);

        // Q8_0 holds Q4_1's values almost exactly.
        let before = q4_1.dequantize(&device).expect("deq");
        let after = w.dequantize(&device).expect("deq");
        let max_diff = (before - after)
            .expect("sub")
            .abs()
            .expect("abs")
            .max_all()
            .expect("max")
            .to_scalar::<f32>()
            .expect("scalar");
        assert!(max_diff < 0.01, "max difference {max_diff}");
    }
}
