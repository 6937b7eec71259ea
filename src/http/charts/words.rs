//! The words of a chart in the reader's language, from the web app's own catalogues
//! (web/locales/*.ftl), so that a chart and the page around it say the same thing.

/// The languages of the web app, each with its catalogue.
const CATALOGUES: [(&str, &str); 4] = [
    ("en", include_str!("../../../web/locales/en.ftl")),
    ("fil", include_str!("../../../web/locales/fil.ftl")),
    ("id", include_str!("../../../web/locales/id.ftl")),
    ("ne", include_str!("../../../web/locales/ne.ftl")),
];

/// A language of the app, as the `lang` parameter names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language(&'static str);

impl Language {
    pub const ENGLISH: Language = Language("en");

    pub fn parse(tag: &str) -> Option<Language> {
        CATALOGUES
            .iter()
            .find(|(lang, _)| *lang == tag)
            .map(|(lang, _)| Language(lang))
    }

    /// The text of the one-line message `id`, in English when this catalogue lacks it, or
    /// the id itself when English does too.
    pub fn word(self, id: &str) -> String {
        let find = |lang: &str| {
            CATALOGUES
                .iter()
                .find(|(l, _)| *l == lang)
                .and_then(|(_, text)| message(text, id))
        };
        find(self.0)
            .or_else(|| find("en"))
            .unwrap_or(id)
            .to_string()
    }
}

/// A simple message `id = text` of a catalogue: one line, no variables.
fn message<'t>(catalogue: &'t str, id: &str) -> Option<&'t str> {
    catalogue.lines().find_map(|line| {
        let (name, text) = line.split_once('=')?;
        (name.trim_end() == id && !line.starts_with(char::is_whitespace))
            .then(|| text.trim())
            .filter(|text| !text.is_empty() && !text.contains('{'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_comes_from_the_readers_catalogue_and_falls_back_to_english() {
        let filipino = Language::parse("fil").unwrap();
        assert_eq!(Language::ENGLISH.word("sex-female"), "Female");
        assert_ne!(filipino.word("sex-female"), "Female");
        assert_eq!(filipino.word("no-such-message"), "no-such-message");
        assert_eq!(Language::parse("xx"), None);
    }

    #[test]
    fn every_word_a_chart_uses_is_in_every_catalogue() {
        for (lang, text) in CATALOGUES {
            for id in super::super::WORDS {
                assert!(message(text, id).is_some(), "{lang} lacks {id}");
            }
        }
    }
}
