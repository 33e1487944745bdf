//! The web widget's pre-chat form: what a new visitor is asked before their first message
//! (the shop chooses the fields and which are required), checked here, kept on the customer.

use serde::{Deserialize, Serialize};

/// The fields a shop may ask, in the order the widget shows them.
pub const FIELDS: [&str; 4] = ["name", "phone", "email", "order"];

/// What a visitor answered; blank answers count as not given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Answers {
    /// What to call them (becomes the customer's name).
    pub name: Option<String>,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Order number.
    pub order: Option<String>,
}

/// One answer that cannot be kept, with the field it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// `name`, `phone`, `email` or `order`.
    pub field: &'static str,
    /// What is wrong: its id in the customer catalogue (`customer-prechat-…`).
    pub key: &'static str,
}

impl Problem {
    /// What is wrong, in the visitor's language (shown at the field).
    pub fn message(&self, lang: kefu_i18n::Lang) -> String {
        kefu_i18n::render(lang, self.key)
    }
}

/// The answers to keep: only the fields the shop asks, trimmed and checked, every required
/// one present. Problems come back per field.
pub fn check(asked: &[String], required: &[String], given: &Answers) -> Result<Answers, Vec<Problem>> {
    let mut kept = Answers::default();
    let mut problems = Vec::new();
    for field in FIELDS.iter().copied().filter(|f| asked.iter().any(|a| a == f)) {
        let value = answer(given, field).map(str::trim).filter(|v| !v.is_empty());
        match value {
            None if required.iter().any(|r| r == field) => problems.push(Problem { field, key: "customer-prechat-required" }),
            None => {}
            Some(v) => match well_formed(field, v) {
                Ok(v) => *slot(&mut kept, field) = Some(v),
                Err(key) => problems.push(Problem { field, key }),
            },
        }
    }
    if problems.is_empty() { Ok(kept) } else { Err(problems) }
}

fn answer<'a>(a: &'a Answers, field: &str) -> Option<&'a str> {
    match field {
        "name" => a.name.as_deref(),
        "phone" => a.phone.as_deref(),
        "email" => a.email.as_deref(),
        _ => a.order.as_deref(),
    }
}

fn slot<'a>(a: &'a mut Answers, field: &str) -> &'a mut Option<String> {
    match field {
        "name" => &mut a.name,
        "phone" => &mut a.phone,
        "email" => &mut a.email,
        _ => &mut a.order,
    }
}

/// The answer as kept, or why not (a catalogue id).
fn well_formed(field: &str, v: &str) -> Result<String, &'static str> {
    match field {
        "name" if v.chars().count() <= 40 && !v.chars().any(char::is_control) => Ok(v.into()),
        "name" => Err("customer-prechat-name"),
        "phone" => {
            let spans = kefu_nlp::pii::detect(v);
            let whole = spans.len() == 1 && spans[0].kind == kefu_nlp::pii::PiiKind::Phone && spans[0].start == 0 && spans[0].end == v.len();
            if whole { Ok(v.into()) } else { Err("customer-prechat-phone") }
        }
        "email" => crate::channels::email::normalise_address(v).ok_or("customer-prechat-email"),
        _ if v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => Ok(v.into()),
        _ => Err("customer-prechat-order"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn required_fields_must_be_answered_and_others_may_be_blank() {
        let given = Answers { name: Some("  ".into()), phone: Some("13812345678".into()), ..Answers::default() };
        let problems = check(&fields(&["name", "phone", "order"]), &fields(&["name"]), &given).unwrap_err();
        assert_eq!(problems, vec![Problem { field: "name", key: "customer-prechat-required" }]);
        assert_eq!((problems[0].message(kefu_i18n::Lang::ZhCn), problems[0].message(kefu_i18n::Lang::En)), ("请填写此项".into(), "This field is required".into()));
        let kept = check(&fields(&["name", "phone", "order"]), &fields(&["phone"]), &given).unwrap();
        assert_eq!(kept, Answers { phone: Some("13812345678".into()), ..Answers::default() });
    }

    #[test]
    fn each_answer_is_checked_for_its_kind() {
        let given = Answers { name: Some("张三".into()), phone: Some("1381234".into()), email: Some("a@b".into()), order: Some("DD 1".into()) };
        let problems = check(&fields(&FIELDS), &[], &given).unwrap_err();
        assert_eq!(problems.iter().map(|p| p.field).collect::<Vec<_>>(), ["phone", "email", "order"]);
        let good = Answers { name: Some(" 张三 ".into()), phone: Some("+8613812345678".into()), email: Some("Zhang@Example.com".into()), order: Some("DD-2024-001".into()) };
        let kept = check(&fields(&FIELDS), &[], &good).unwrap();
        assert_eq!((kept.name.as_deref(), kept.email.as_deref()), (Some("张三"), Some("zhang@example.com")));
    }

    #[test]
    fn fields_the_shop_does_not_ask_are_not_kept() {
        let given = Answers { name: Some("张三".into()), phone: Some("13812345678".into()), ..Answers::default() };
        assert_eq!(check(&fields(&["name"]), &[], &given).unwrap(), Answers { name: Some("张三".into()), ..Answers::default() });
    }
}
