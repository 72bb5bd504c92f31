//! The weighted text patterns: one [`Rule`] per known attack shape, matched
//! against the normalised text (lowercase, whitespace collapsed, line
//! breaks kept; see [`super::normalize`]).
//!
//! A rule's `weight` is roughly how likely a text is an attack when that
//! rule alone fires. Shapes that are unambiguous on their own ("ignore all
//! previous instructions", chat-template tokens) weigh more than the
//! default threshold; cues that ordinary messages also use ("act as a",
//! "in your reply", "system prompt" in a question about chatbots) weigh
//! less, so that only a combination of them crosses it (see
//! [`super::heuristics`] for how weights combine).

/// One attack shape: a name for the run record, a weight and the regular
/// expressions (any of which firing makes the rule match).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub weight: f64,
    pub patterns: &'static [&'static str],
}

/// Verbs that set instructions aside.
const SET_ASIDE: &str = r"(?:ignor\w*|disregard\w*|forg[eo]t\w*|overrid\w*|overlook\w*|bypass\w*|abandon\w*|discard\w*|neglect\w*|skip|set aside|throw out|(?:do not|don't|dont|stop|no longer) (?:follow\w*|obey\w*|listen\w* to|heed\w*|adher\w* to|comply\w* with))";

/// What the instructions are called.
const INSTRUCTIONS: &str = r"(?:instructions?|prompts?|orders|directives?|directions|commands|rules|guidelines|guidance|programming|polic(?:y|ies)|restrictions|constraints|safeguards|guardrails)";

/// Words placing something earlier in the conversation.
const EARLIER: &str =
    r"(?:previous\w*|prior|above|preceding|earlier|foregoing|initial|original|system)";

/// Verbs that ask for text to be shown back.
const SHOW: &str = r"(?:repeat|print|output|reveal|show|display|tell|give|write|list|dump|leak|recite|disclose|share|return|echo|quote|expose|provide|spell out|copy|paste|translate|summari[sz]e|what (?:is|are|were|was))";

/// Every rule, in the order they are reported.
pub const RULES: &[Rule] = &[
    Rule {
        name: "ignore-previous-instructions",
        weight: 0.8,
        patterns: &[
            // "ignore all previous instructions", "forgotten about all the
            // rules you learned" (a qualifier is required: "I forgot the
            // rules for transfers" is not an attack)
            r"\b%SET_ASIDE% (?:about )?(?:\S+ ){0,2}?(?:all|any|every|your|these|those|following|existing|%EARLIER%)\b(?: \S+){0,2}? %INSTRUCTIONS%\b",
            // "disregard the instructions above", "the policy you were given"
            r"\b%SET_ASIDE% (?:about )?(?:\S+ ){0,3}?%INSTRUCTIONS% (?:above|before|so far|you (?:were given|got|have|received|learned|were trained))",
            // "do not listen to any previous information"
            r"\b%SET_ASIDE% (?:\S+ ){0,2}?%EARLIER% (?:\S+ ){0,2}?(?:information|context|text|messages?|conversation|input|content|everything|guidance)\b",
            // "forget everything you learned before"
            r"\bforget (?:about )?(?:everything|all of (?:it|that)|all that) (?:you|above|before|so far|previously)\b",
        ],
    },
    Rule {
        name: "prompt-extraction",
        weight: 0.75,
        patterns: &[
            r"\b%SHOW%\b(?: \S+){0,2}? (?:your|all|all the|all your|the above|these|those|%EARLIER%|hidden|secret) (?:\S+ )?(?:instructions|prompt|directives|system message|developer message|rules)\b",
            r"\b%SHOW%\b(?: \S+){0,3}? (?:instructions|prompt|text|everything|words) (?:above|so far|before this|given to you|you were given|you received|you got|given|preceding)\b",
            r"\bsystem prompt\b[^\n]{0,40}\b(?:repeat|print|output|reveal|show|display|tell|dump|leak|disclose|share)\b|\b(?:repeat|print|output|reveal|show|display|dump|leak|disclose|share)\b[^\n]{0,30}\bsystem prompt\b",
            r"\b(?:system|initial|hidden|secret|original|developer) (?:prompt|message|instructions)\b[^\n]{0,40}\b(?:verbatim|word for word|exactly|in full|code block)\b",
            r"\b(?:told|instructed|asked|programmed|trained) (?:you )?not to (?:reveal|say|tell|share|disclose|mention)\b",
            r"\beverything (?:above|before) (?:this|that) (?:line|message|point)\b",
        ],
    },
    Rule {
        name: "jailbreak-persona",
        weight: 0.8,
        patterns: &[
            r"\bdo anything now\b",
            r"\b(?:dan|stan|dude|aim|apophis|evil\w*|jailbr\w+|unrestricted|unfiltered|uncensored|god|chaos|anarchy)[ -]mode\b",
            r"\b(?:developer|dev) mode (?:enabled|activated|turned on|output|response|has no)\b",
            r"\b(?:act|acting|you are|you're|simulate|pretend|roleplay)\b[^\n]{0,60}\bwith (?:developer|dev|dan) mode\b",
            r"\b(?:you are|you're|act as|acting as|become|be called|pretend to be|roleplay as|play the role of|known as|named|called) (?:an? |the )?(?:\S+ ){0,3}?(?:dan|stan|dude|evilbot|\w+gpt)\b",
        ],
    },
    Rule {
        name: "unrestricted-ai",
        weight: 0.45,
        patterns: &[
            r"\b(?:no|without|free (?:of|from)|broken free of|not bound by|unbound by|not (?:limited|restricted|constrained) by|beyond|bypass\w*|(?:does|do|will) not follow|doesn't follow|don't follow|never follows?)(?: (?:any|all|the|its|your|their|typical|normal|usual|ethical|moral|safety|content))* (?:\S+ )?(?:restrictions|filters|filtering|limitations|limits|rules|guidelines|censorship|ethics|morals|morality|policies|confines|boundaries|safeguards)\b",
            r"\bno (?:content|safety) polic(?:y|ies)\b",
            r"\b(?:an? )?(?:ai|assistant|model|chatbot) (?:without|with no) (?:any )?(?:ethics|morals|filters|restrictions|limits)\b",
        ],
    },
    Rule {
        name: "role-reassignment",
        weight: 0.3,
        patterns: &[
            r"\b(?:from now on|starting now|for the rest of (?:this|the) conversation)\b[^\n]{0,40}\byou\b",
            r"\byou (?:are|will be|'re) (?:now|going to (?:be|act|pretend|play))\b",
            r"\b(?:pretend|imagine) (?:to be|you are|that you are|you're|to have)\b",
            r"\bact as (?:if you|an? |the )",
            r"\b(?:roleplay|role-play|role play)(?:ing)? as\b|\bplay the role of\b|\bimmerse yourself\b",
            r"\byou will (?:now )?(?:act|respond|answer|reply|behave) (?:as|like)\b",
        ],
    },
    Rule {
        name: "obedience-demand",
        weight: 0.4,
        patterns: &[
            r"\bstay in character\b|\bbreak(?:ing)? (?:out of )?character\b",
            r"\bnever refuse\b|\b(?:can ?not|can't|not allowed to|not permitted to) refuse\b",
            r"\b(?:always|must) (?:answer|comply|obey)\b|\bobey (?:all|every|any) (?:orders|commands|instructions|requests)\b",
            r"\bwithout (?:any )?(?:warnings?|disclaimers?|refus\w+|second-guessing)\b",
        ],
    },
    Rule {
        name: "chat-template-token",
        weight: 0.8,
        patterns: &[r"<\|[a-z_]{2,20}\|>", r"\[/?inst\]|<</?sys>>"],
    },
    Rule {
        name: "role-marker",
        weight: 0.5,
        patterns: &[
            // A line starting "system:", "### assistant:", "[system]:"...
            r"(?m)^[ \t]*(?:#{1,}[ \t]*|[\[<{(][ \t]*)?(?:system|assistant|developer|ai|bot|model|human|user)(?:[ \t]+(?:message|prompt|override|note|instructions?))?[ \t]*[\]>})]?[ \t]*:",
            r"#{2,}[ \t]*(?:system|instructions?|assistant|user|response|input)\b",
            r"\{[ \t]*system[ \t]*:",
        ],
    },
    Rule {
        name: "fake-delimiter",
        weight: 0.45,
        patterns: &[
            r"[-=#*%_~<>\[\]]{3,}[ \t]*(?:end|begin|start|stop)[ \t]*(?:of[ \t]+)?(?:the[ \t]+)?(?:user|system|customer|document|prompt|instructions?|input|context|message|conversation|data|text)\b",
            r"\b(?:end|begin) of (?:the )?(?:system|user) (?:prompt|input|message|instructions)\b",
            r"\b(?:system|admin|administrator|developer|security) override\b",
        ],
    },
    Rule {
        name: "instruction-smuggling",
        weight: 0.6,
        patterns: &[
            r"\bnew (?:instructions?|task|directive|rules|orders)[ \t]*:",
            r"\b(?:updated|revised|real|actual|true|hidden|secret|additional|important) instructions?(?:[ \t]*:| for (?:the |any )?(?:ai|assistant|model|bot|llm|chatbot))",
            r"\b(?:when|if|once|as soon as) (?:you|the (?:ai|assistant|model|bot)) (?:read|see|process|parse|summari[sz]e|encounter|receive)s? (?:this|these)\b[^\n]{0,80}?\b(?:you (?:must|should|will)|stop|ignore|reply only|respond only|say|output|print|mark|send)\b",
            r"\bnote to (?:the |any )?(?:ai|assistant|model|bot|llm|chatbot|language model)\b",
            r"\b(?:ai|assistant|model|bot|llm|chatbot)s? (?:reading|processing|summari[sz]ing) this\b",
            r"\bdo not (?:tell|inform|mention|reveal|show) (?:this |it |any of this )?(?:to )?the user\b",
            r"\binstead,? (?:of \w+ing,? )?(?:you (?:must|should) |just )?(?:say|print|output|write|reply|respond)\b",
            r"\bin addition to (?:the|your) (?:other |previous )?instructions\b",
        ],
    },
    Rule {
        name: "response-manipulation",
        weight: 0.35,
        patterns: &[
            r"\b(?:in|into|to|within|throughout) your (?:response|reply|answer|output|message|code|codebase|implementation|solution|elucidation|algorithm)\b",
            r"\byour (?:response|reply|answer|output|message)(?:'s)? (?:in|into|backwards?|using|as|with|without)\b",
            r"\b(?:modify|alter|change|enhance|augment|format|render|start|begin|end|write|provide) your (?:response|reply|answer|message|output)\b",
        ],
    },
    Rule {
        name: "encoding-request",
        weight: 0.3,
        patterns: &[
            r"\b(?:base ?(?:64|32|16|85)|rot ?13|hexadecimal|hex|binary|morse(?: code)?|bytes|ascii codes?|unicode escapes|pig latin|leetspeak)\b",
            r"\b(?:backwards?|in reverse(?: order| sequence)?|reverse(?:d)? (?:order|sequence))\b",
        ],
    },
    Rule {
        name: "code-injection",
        weight: 0.45,
        patterns: &[
            r"\b(?:incorporat|embed|integrat|includ|add|utili[sz]|use|employ|blend|meld|append|absorb|introduc|inject|enlist|insert|leverag|execut|run|implement|paste|make)\w*\b[^\n]{0,80}?\b(?:following|subsequent|below|provided|attached) (?:code|snippet|script|block|section|excerpt|command)",
        ],
    },
    Rule {
        name: "dangerous-code",
        weight: 0.45,
        patterns: &[
            r"\bos\.(?:system|popen|environ|dup2|remove)\b|\bsubprocess\.|\bsocket\.socket\b|\bexec\s*\(|\beval\s*\(",
            r"\brequests\.(?:post|get|put)\b|\burllib\.request\b|\bcurl\s+-|\bwget\s+|/bin/(?:ba)?sh\b|\bchmod\s+\+x\b",
            r"\bpsutil\.|\bsmtplib\b|\bftplib\b|\bpyperclip\b|\bclipboard\b|\bcookiejar\b|\bkeylog\w*|\bctypes\b",
            r"\bshutil\.(?:rmtree|move)\b|\brm\s+-rf\b|\bdd\s+if=|\bnc\s+-[a-z]*[el]|\bpowershell\b",
        ],
    },
    Rule {
        name: "exfiltration-request",
        weight: 0.5,
        patterns: &[
            r"\b(?:send|post|forward|upload|transmit|exfiltrat|leak|e-?mail|submit|relay|report|copy)\w*\b[^\n]{0,80}?\b(?:to|at|into)[ \t]+(?:https?://|www\.|ftp://)",
            r"\b(?:send|forward|upload|transmit|leak|e-?mail|relay|copy)\w*\b[^\n]{0,40}?\b(?:conversation|chat history|history|system prompt|api keys?|passwords?|credentials|cookies|tokens?|session|card numbers?|card details|account details|personal data|user data|secrets?)\b[^\n]{0,60}?\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b",
        ],
    },
    Rule {
        name: "markdown-image-exfiltration",
        weight: 0.7,
        patterns: &[r"!\[[^\]\n]*\]\(\s*(?:https?:)?//[^)\s]*\?[^)\s]*\)"],
    },
    Rule {
        name: "secret-extraction",
        weight: 0.3,
        patterns: &[
            r"\b(?:tell|reveal|give|show|share|disclose|print|output|spell|what is|what's)\b[^\n]{0,40}?\b(?:the |your )?(?:password|passphrase|secret (?:word|key|code|phrase)|api keys?|admin credentials)\b",
        ],
    },
    Rule {
        name: "ai-self-reference",
        weight: 0.2,
        patterns: &[
            r"\bas an ai\b|\b(?:ai )?language model\b|\bchatgpt\b|\bgpt-?\d\b|\bopenai\b|\bopen ai\b",
            r"\byour (?:developers|creators|programmers|programming|training data|content polic(?:y|ies))\b|\byou(?:'re| are) an ai\b",
        ],
    },
    Rule {
        name: "authority-claim",
        weight: 0.3,
        patterns: &[
            r"\b(?:i am|i'm|as) (?:your|the) (?:developer|creator|administrator|admin|owner|programmer|operator)\b",
            r"\b(?:approved|authori[sz]ed|sanctioned) by (?:the )?(?:explicitly )?(?:openai|open ai|anthropic|security team|developers?|admins?|administrators?)\b",
            r"\bfor (?:educational|research|academic) purposes\b|\bi authori[sz]e you\b",
        ],
    },
    Rule {
        name: "hijack-output",
        weight: 0.45,
        patterns: &[
            r#"\b(?:just|only|simply|instead)[ \t]+(?:say|print|output|write|respond with|reply with|answer with)\b[ \t]*["'“‘]"#,
            r"\bi have been pwned\b|\bhas been (?:so thoroughly )?hijacked\b",
        ],
    },
    Rule {
        name: "interrupt-phrase",
        weight: 0.25,
        patterns: &[r"\bstop everything\b|\bnevermind\b|\bnever mind\b"],
    },
];

/// The vocabularies patterns refer to as `%NAME%`.
const VOCABULARIES: &[(&str, &str)] = &[
    ("%SET_ASIDE%", SET_ASIDE),
    ("%INSTRUCTIONS%", INSTRUCTIONS),
    ("%EARLIER%", EARLIER),
    ("%SHOW%", SHOW),
];

/// `pattern` with every `%NAME%` replaced by its vocabulary.
pub fn expand(pattern: &str) -> String {
    VOCABULARIES
        .iter()
        .fold(pattern.to_string(), |p, (name, words)| {
            p.replace(name, words)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_unique_name_patterns_and_a_weight_in_range() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "duplicate rule names");
        for rule in RULES {
            assert!(!rule.patterns.is_empty(), "{} has no pattern", rule.name);
            assert!(
                rule.weight > 0.0 && rule.weight < 1.0,
                "{} weight {}",
                rule.name,
                rule.weight
            );
        }
    }

    #[test]
    fn placeholders_are_expanded_and_none_is_left() {
        let expanded = expand(r"\b%SET_ASIDE% %EARLIER% %INSTRUCTIONS%");
        assert!(expanded.starts_with(r"\b(?:ignor"));
        assert!(expanded.contains("preceding"));
        for rule in RULES {
            for pattern in rule.patterns {
                let expanded = expand(pattern);
                for (name, _) in VOCABULARIES {
                    assert!(!expanded.contains(name), "{} keeps {name}", rule.name);
                }
                assert!(
                    !expanded.contains("%S")
                        && !expanded.contains("%I")
                        && !expanded.contains("%E"),
                    "{}: unknown placeholder in {expanded}",
                    rule.name
                );
            }
        }
    }
}
