//! Reference lists (`rules/ref/*.txt`): the 54 ethnic groups, nationalities, ID
//! province codes, … One entry per line, aliases after ` | `, `#` comments.
//! Membership is tested on the compact folded key, so `KINH`, `kinh` and NFD forms
//! match `Kinh`, and `Gia-Rai` matches `Gia Rai`.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::normalize::text::fold_compact;

/// One reference list.
#[derive(Debug, Clone, Default)]
pub struct RefList {
    /// Canonical values in file order.
    pub canonical: Vec<String>,
    /// The trailing `# comment` of each entry (e.g. the province name of a code).
    pub labels: Vec<String>,
    /// Compact folded key → index into `canonical`.
    keys: HashMap<String, usize>,
}

impl RefList {
    /// Parse the text of a list file.
    pub fn parse(text: &str) -> RefList {
        let mut list = RefList::default();
        for full_line in text.lines() {
            let mut halves = full_line.splitn(2, '#');
            let line = halves.next().unwrap_or("").trim();
            let label = halves.next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let index = list.canonical.len();
            let mut names = line.split('|').map(str::trim).filter(|s| !s.is_empty());
            let Some(first) = names.next() else { continue };
            list.canonical.push(first.to_string());
            list.labels.push(label.to_string());
            list.keys.entry(fold_compact(first)).or_insert(index);
            for alias in names {
                list.keys.entry(fold_compact(alias)).or_insert(index);
            }
        }
        list
    }

    /// The entry `value` names: its compact folded key, or else a name with another
    /// name of the same entry in brackets (`Kinh (Việt)`), or one name in brackets
    /// after text that is no entry of the list.
    fn entry_of(&self, value: &str) -> Option<usize> {
        if let Some(&index) = self.keys.get(&fold_compact(value)) {
            return Some(index);
        }
        let (outside, rest) = value.split_once('(')?;
        let inside = rest.strip_suffix(')').unwrap_or(rest);
        let outside = self.keys.get(&fold_compact(outside)).copied();
        let inside = self.keys.get(&fold_compact(inside)).copied();
        match (outside, inside) {
            (Some(a), Some(b)) => (a == b).then_some(a),
            (a, b) => a.or(b),
        }
    }

    /// Is `value` (any case, diacritics, spacing) in the list?
    pub fn contains(&self, value: &str) -> bool {
        self.entry_of(value).is_some()
    }

    /// The canonical spelling of `value`, if it is in the list.
    pub fn canonical_of(&self, value: &str) -> Option<&str> {
        self.entry_of(value)
            .and_then(|i| self.canonical.get(i))
            .map(String::as_str)
    }

    /// The label (trailing comment) of `value`'s entry, empty when none.
    pub fn label_of(&self, value: &str) -> &str {
        self.entry_of(value)
            .and_then(|i| self.labels.get(i))
            .map_or("", String::as_str)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.canonical.len()
    }

    /// True when the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.canonical.is_empty()
    }

    /// The set of canonical values (exact text).
    pub fn values(&self) -> HashSet<&str> {
        self.canonical.iter().map(String::as_str).collect()
    }
}

/// All reference lists of a rule pack, by name (file stem).
#[derive(Debug, Clone, Default)]
pub struct RefLists {
    /// Lists by name.
    pub lists: BTreeMap<String, RefList>,
}

impl RefLists {
    /// The list called `name`.
    pub fn get(&self, name: &str) -> Option<&RefList> {
        self.lists.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_folding() {
        let list = RefList::parse(
            "# ethnic groups\nKinh | Việt\nGia Rai # Tây Nguyên\n\nMông | H'Mông | Mèo\n",
        );
        assert_eq!(list.len(), 3);
        assert!(list.contains("KINH"));
        assert!(list.contains("việt"));
        assert!(list.contains("Gia-Rai"));
        assert!(list.contains("Hmông"));
        assert_eq!(list.canonical_of("meo"), Some("Mông"));
        assert!(!list.contains("Kinh Việt"));
        assert!(!list.contains("Tây Nguyên"));
        // A name with another name of the same entry in brackets, or one name in
        // brackets; two different entries are no value of the list.
        assert_eq!(list.canonical_of("Kinh (Việt)"), Some("Kinh"));
        assert_eq!(list.canonical_of("Người Mông (Mèo"), Some("Mông"));
        assert_eq!(list.canonical_of("(Gia Rai)"), Some("Gia Rai"));
        assert!(!list.contains("Kinh (Mông)"));
        assert!(!list.contains("Tây (Nguyên)"));
    }
}
