//! What a password must be: long enough, not one character class, not the email, not a
//! well-known password.

/// Shortest accepted password.
pub const MIN_LEN: usize = 10;

const COMMON: &[&str] = &[
    "1234567890", "12345678910", "0123456789", "qwertyuiop", "1qaz2wsx3edc", "password123", "password1234",
    "iloveyou123", "woaini1314", "aaaaaaaaaa", "abc1234567", "a123456789", "qwerty123456", "admin12345", "kefu-demo",
];

/// `Err` with a message the user can act on.
pub fn check(password: &str, email: &str) -> Result<(), kefu_i18n::Message> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(crate::error::msg("error-password-short").arg("min", MIN_LEN));
    }
    if chars > 256 {
        return Err(crate::error::msg("error-password-long"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 2 {
        return Err(crate::error::msg("error-password-mix"));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 3 && lower.contains(&local) {
        return Err(crate::error::msg("error-password-login-name"));
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(crate::error::msg("error-password-common"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn policy() {
        assert!(check("short1", "a@x.cn").unwrap_err().render(kefu_i18n::Lang::En).contains("at least 10"));
        assert!(check("abcdefghijkl", "a@x.cn").unwrap_err().render(kefu_i18n::Lang::En).contains("two of"));
        assert!(check("zhangsan-2026!", "zhangsan@x.cn").unwrap_err().render(kefu_i18n::Lang::En).contains("login name"));
        assert!(check("woaini1314", "a@x.cn").unwrap_err().render(kefu_i18n::Lang::En).contains("common"));
        assert!(check("kefu-demo-2026", "a@x.cn").is_ok());
        assert!(check("长城长城长城长城长城1", "a@x.cn").is_ok());
    }
}
