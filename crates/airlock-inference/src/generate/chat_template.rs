//! ChatML prompt formatting for SmolLM2-Instruct.
//!
//! The model's `tokenizer.chat_template` (Jinja, in the GGUF metadata) renders
//! a system turn, a user turn and the start of the assistant turn:
//! `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n`.
//! When the conversation has no system message the template inserts its own
//! default one. Rendering that fixed shape by hand avoids a Jinja engine; the
//! tests check it against the real template's output.

/// The start of the assistant turn; generation continues from here.
const ASSISTANT_START: &str = "<|im_start|>assistant\n";
/// Where the template's default system turn starts.
const SYSTEM_START: &str = "<|im_start|>system\n";
/// Where every turn ends.
const TURN_END: &str = "<|im_end|>";

/// The default system message embedded in a ChatML `template`, if it has one:
/// the text between `<|im_start|>system\n` and the next `<|im_end|>`.
pub fn default_system_prompt(template: &str) -> Option<String> {
    let start = template.find(SYSTEM_START)? + SYSTEM_START.len();
    let len = template[start..].find(TURN_END)?;
    let text = &template[start..start + len];
    // The text sits inside a Jinja string literal; a literal that is split or
    // escaped is not something this hand-written renderer can reproduce.
    if text.contains(['\'', '"', '{', '}', '\\']) {
        return None;
    }
    Some(text.to_string())
}

/// The prompt for one user message, with `system` as the system turn (none
/// if `None`), ending at the start of the assistant's reply.
pub fn render(system: Option<&str>, prompt: &str) -> String {
    let mut out = String::with_capacity(prompt.len() + 128);
    if let Some(system) = system {
        push_turn(&mut out, "system", system);
    }
    push_turn(&mut out, "user", prompt);
    out.push_str(ASSISTANT_START);
    out
}

fn push_turn(out: &mut String, role: &str, content: &str) {
    out.push_str("<|im_start|>");
    out.push_str(role);
    out.push('\n');
    out.push_str(content);
    out.push_str(TURN_END);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template shipped in SmolLM2-135M-Instruct's GGUF metadata.
    const SMOLLM_TEMPLATE: &str = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    #[test]
    fn finds_the_default_system_prompt() {
        assert_eq!(
            default_system_prompt(SMOLLM_TEMPLATE).as_deref(),
            Some("You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        );
        assert_eq!(default_system_prompt("{{ messages }}"), None);
    }

    #[test]
    fn renders_system_user_and_assistant_start() {
        assert_eq!(
            render(Some("Be brief."), "Hi there"),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(
            render(None, "Hi"),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn matches_the_jinja_template() {
        let mut env = minijinja::Environment::new();
        env.add_template("chat", SMOLLM_TEMPLATE)
            .expect("template parses");
        let template = env.get_template("chat").expect("template exists");
        let with_system = template
            .render(minijinja::context! {
                messages => vec![
                    minijinja::context! { role => "system", content => "Answer in French." },
                    minijinja::context! { role => "user", content => "What is 2+2?\nThanks" },
                ],
                add_generation_prompt => true,
            })
            .expect("renders");
        assert_eq!(
            with_system,
            render(Some("Answer in French."), "What is 2+2?\nThanks")
        );
        let without_system = template
            .render(minijinja::context! {
                messages => vec![minijinja::context! { role => "user", content => "Hello" }],
                add_generation_prompt => true,
            })
            .expect("renders");
        let default = default_system_prompt(SMOLLM_TEMPLATE);
        assert_eq!(without_system, render(default.as_deref(), "Hello"));
    }
}
