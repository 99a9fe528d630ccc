//! Sets of CPU or NUMA node numbers in the kernel's list format (`0-3,5,7-9`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The highest CPU or node number accepted, a bound against absurd masks.
pub const MAX_CPU: u32 = 64 * 1024;

/// A list that is not in the `0-3,5` format, or names a number above [`MAX_CPU`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cpu list {list:?}: {reason}")]
pub struct InvalidCpuList {
    /// The list as given.
    pub list: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A set of CPU (or NUMA node) numbers, kept as sorted, disjoint, non-adjacent ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CpuSet {
    ranges: Vec<(u32, u32)>,
}

impl CpuSet {
    /// Whether the set holds no number.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How many numbers the set holds.
    pub fn count(&self) -> u32 {
        self.ranges.iter().map(|(lo, hi)| hi - lo + 1).sum()
    }

    /// Whether the set holds `cpu`.
    pub fn contains(&self, cpu: u32) -> bool {
        self.ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&cpu))
    }

    /// The numbers in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    /// The highest number, if any.
    pub fn max(&self) -> Option<u32> {
        self.ranges.last().map(|&(_, hi)| hi)
    }

    fn from_ranges(mut ranges: Vec<(u32, u32)>) -> CpuSet {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        CpuSet { ranges: merged }
    }
}

impl FromIterator<u32> for CpuSet {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        CpuSet::from_ranges(iter.into_iter().map(|cpu| (cpu, cpu)).collect())
    }
}

impl FromStr for CpuSet {
    type Err = InvalidCpuList;

    /// Parses the kernel's list format. Spaces around elements and empty elements are
    /// accepted, as the kernel and runc accept them.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidCpuList {
            list: list.to_owned(),
            reason,
        };
        let number = |s: &str| -> Result<u32, InvalidCpuList> {
            let n: u32 = s.trim().parse().map_err(|_| invalid("not a number"))?;
            if n > MAX_CPU {
                return Err(invalid("number above 65536"));
            }
            Ok(n)
        };
        let mut ranges = Vec::new();
        for element in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let range = match element.split_once('-') {
                Some((lo, hi)) => (number(lo)?, number(hi)?),
                None => (number(element)?, number(element)?),
            };
            if range.0 > range.1 {
                return Err(invalid("range start above its end"));
            }
            ranges.push(range);
        }
        Ok(CpuSet::from_ranges(ranges))
    }
}

impl fmt::Display for CpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match lo == hi {
                true => write!(f, "{lo}")?,
                false => write!(f, "{lo}-{hi}")?,
            }
        }
        Ok(())
    }
}

impl Serialize for CpuSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CpuSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_kernel_list_format() {
        let set: CpuSet = "0-3, 5,,7-9".parse().unwrap();
        assert_eq!(set.to_string(), "0-3,5,7-9");
        assert_eq!(set.count(), 8);
        assert!(set.contains(8) && !set.contains(4));
        assert_eq!(set.max(), Some(9));
        assert!("".parse::<CpuSet>().unwrap().is_empty());
    }

    #[test]
    fn merges_overlapping_and_adjacent_ranges() {
        let set: CpuSet = "4-6,0-2,3,5".parse().unwrap();
        assert_eq!(set.to_string(), "0-6");
    }

    #[test]
    fn rejects_bad_lists() {
        for bad in ["3-1", "a", "1-", "-1", "70000", "1,2-x"] {
            assert!(bad.parse::<CpuSet>().is_err(), "{bad} should not parse");
        }
    }

    proptest! {
        #[test]
        fn display_parses_back_to_the_same_set(cpus in proptest::collection::vec(0u32..512, 0..40)) {
            let set: CpuSet = cpus.iter().copied().collect();
            let back: CpuSet = set.to_string().parse().unwrap();
            prop_assert_eq!(&back, &set);
            let mut expected = cpus.clone();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(set.iter().collect::<Vec<_>>(), expected);
        }
    }
}
