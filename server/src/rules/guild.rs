//! What a guild's tag and name may be, under the `[guilds]` config: the same for a guild
//! founded in the game and one brought by `import`.

use crate::config::GuildsConfig;

/// A tag: `min_tag_length` to `max_tag_length` letters A to Z (kept in capitals).
pub fn valid_tag(tag: &str, config: &GuildsConfig) -> bool {
    let len = tag.chars().count() as u32; // ok: a packet's string is short
    (config.min_tag_length..=config.max_tag_length).contains(&len)
        && tag.chars().all(|c| c.is_ascii_alphabetic())
}

/// A name: 1 to `max_name_length` letters, digits and spaces, not starting or ending with a
/// space.
pub fn valid_name(name: &str, config: &GuildsConfig) -> bool {
    let len = name.chars().count() as u32; // ok: a packet's string is short
    len >= 1
        && len <= config.max_name_length
        && name == name.trim()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_names_follow_the_rules() {
        let config = GuildsConfig::default();
        assert!(valid_tag("AB", &config) && valid_tag("ABC", &config));
        assert!(!valid_tag("A", &config) && !valid_tag("ABCD", &config));
        assert!(!valid_tag("A1", &config) && !valid_tag("A B", &config));
        assert!(valid_name("The Guild 2", &config));
        assert!(!valid_name("", &config) && !valid_name(" Guild", &config));
        assert!(!valid_name("Guild!", &config));
        assert!(!valid_name(&"x".repeat(25), &config));
    }
}
