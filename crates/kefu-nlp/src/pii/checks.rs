//! Check digits and dates that tell a real card or id number from any run of digits.

/// Luhn (mod 10) check over decimal digits (0–9), the last one being the check digit.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    if digits.len() < 2 || digits.iter().any(|&d| d > 9) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Weights of the 17 body digits of a resident id number (2^(17-i) mod 11, GB 11643).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for a remainder (ISO 7064 MOD 11-2); 10 stands for X.
const ID_CHECK: [u8; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/// An 18-character resident id number: values 0–9, the last may be 10 (X). The check character
/// must match and characters 7–14 must be a real date between 1900 and 2100.
pub(crate) fn id_card_valid(chars: &[u8]) -> bool {
    if chars.len() != 18 || chars[..17].iter().any(|&d| d > 9) || chars[17] > 10 {
        return false;
    }
    let sum: u32 = chars[..17].iter().zip(ID_WEIGHTS).map(|(&d, w)| u32::from(d) * w).sum();
    if ID_CHECK[(sum % 11) as usize] != chars[17] {
        return false;
    }
    let number = |s: &[u8]| s.iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
    is_real_date(number(&chars[6..10]), number(&chars[10..12]), number(&chars[12..14]))
}

/// Whether year-month-day is a calendar date in 1900..=2100 (Gregorian leap years).
pub(crate) fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.chars().map(|c| if c == 'X' { 10 } else { c.to_digit(10).map_or(99, |d| d as u8) }).collect()
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid(&digits("4111111111111111")));
        assert!(luhn_valid(&digits("6222021234567890128")));
        assert!(!luhn_valid(&digits("4111111111111112")));
        assert!(!luhn_valid(&digits("0")));
    }

    #[test]
    fn id_card_check_digit_and_date() {
        assert!(id_card_valid(&digits("11010519491231002X")));
        assert!(id_card_valid(&digits("110101199003071233")));
        assert!(id_card_valid(&digits("440306198802294315")), "1988-02-29 is a leap day");
        assert!(!id_card_valid(&digits("110101199003071235")), "bad check digit");
        assert!(!id_card_valid(&digits("110101202302301232")), "check digit fits but 2023-02-30 is no date");
        assert!(!id_card_valid(&digits("1101051949123100")));
    }

    #[test]
    fn calendar() {
        assert!(is_real_date(2000, 2, 29));
        assert!(is_real_date(2024, 2, 29));
        assert!(!is_real_date(1900, 2, 29));
        assert!(!is_real_date(2023, 2, 29));
        assert!(!is_real_date(2024, 2, 30));
        assert!(!is_real_date(2024, 4, 31));
        assert!(!is_real_date(1899, 12, 31));
        assert!(!is_real_date(2101, 1, 1));
        assert!(!is_real_date(2024, 13, 1));
    }
}
