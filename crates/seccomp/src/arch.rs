//! The architectures a filter admits: their audit numbers, argument width and syscall tables.

use hull_configs::SeccompArch;

/// The table `build.rs` generates from `syscalls/`.
mod tables {
    include!(concat!(env!("OUT_DIR"), "/syscall_tables.rs"));
}

/// `AUDIT_ARCH_X86_64`: `EM_X86_64` (62), 64-bit, little endian.
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// `AUDIT_ARCH_I386`: `EM_386` (3), little endian.
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
/// `AUDIT_ARCH_AARCH64`: `EM_AARCH64` (183), 64-bit, little endian.
const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
/// `AUDIT_ARCH_ARM`: `EM_ARM` (40), little endian.
const AUDIT_ARCH_ARM: u32 = 0x4000_0028;

/// `__X32_SYSCALL_BIT`: set in the number of every x32 syscall.
pub(crate) const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// An architecture (an ABI, for x86_64 and x32) that hull-seccomp compiles filters for.
///
/// Every filter admits the architecture hull runs on ([`Arch::native`]); a config may admit
/// others the kernel can run beside it (x86 and x32 on x86_64, arm on aarch64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// 64-bit x86.
    X86_64,
    /// 32-bit x86 (i386).
    X86,
    /// The x32 ABI of x86_64: 32-bit pointers, syscall numbers with bit 30 set.
    X32,
    /// 64-bit ARM.
    Aarch64,
    /// 32-bit ARM (EABI, little endian).
    Arm,
}

impl Arch {
    /// Every supported architecture.
    pub const ALL: [Arch; 5] = [Arch::X86_64, Arch::X86, Arch::X32, Arch::Aarch64, Arch::Arm];

    /// The architecture this build runs on, or `None` where hull-seccomp has no tables.
    pub fn native() -> Option<Arch> {
        match std::env::consts::ARCH {
            "x86_64" if cfg!(target_pointer_width = "32") => Some(Arch::X32),
            "x86_64" => Some(Arch::X86_64),
            "x86" => Some(Arch::X86),
            "aarch64" if cfg!(target_endian = "little") => Some(Arch::Aarch64),
            "arm" if cfg!(target_endian = "little") => Some(Arch::Arm),
            _ => None,
        }
    }

    /// The architecture a config names, or `None` for one without tables here (MIPS,
    /// PowerPC, s390, RISC-V, ...).
    pub fn from_config(arch: SeccompArch) -> Option<Arch> {
        match arch {
            SeccompArch::X86_64 => Some(Arch::X86_64),
            SeccompArch::X86 => Some(Arch::X86),
            SeccompArch::X32 => Some(Arch::X32),
            SeccompArch::Aarch64 => Some(Arch::Aarch64),
            SeccompArch::Arm => Some(Arch::Arm),
            _ => None,
        }
    }

    /// The name a config uses for it (`SCMP_ARCH_X86_64`).
    pub const fn to_config(self) -> SeccompArch {
        match self {
            Arch::X86_64 => SeccompArch::X86_64,
            Arch::X86 => SeccompArch::X86,
            Arch::X32 => SeccompArch::X32,
            Arch::Aarch64 => SeccompArch::Aarch64,
            Arch::Arm => SeccompArch::Arm,
        }
    }

    /// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` for its syscalls
    /// (x32 shares x86_64's).
    pub const fn audit_arch(self) -> u32 {
        match self {
            Arch::X86_64 | Arch::X32 => AUDIT_ARCH_X86_64,
            Arch::X86 => AUDIT_ARCH_I386,
            Arch::Aarch64 => AUDIT_ARCH_AARCH64,
            Arch::Arm => AUDIT_ARCH_ARM,
        }
    }

    /// Whether argument comparisons use all 64 bits. On 32-bit ABIs (x86, x32, arm) only the
    /// low 32 bits of an argument and of the rule's value are compared, as libseccomp does.
    pub const fn compares_64bit(self) -> bool {
        matches!(self, Arch::X86_64 | Arch::Aarch64)
    }

    /// The syscall numbers of this ABI within its audit architecture: `[start, end)`. Only
    /// x86_64 and x32 share one, split at `__X32_SYSCALL_BIT`.
    pub(crate) const fn number_range(self) -> (u32, u64) {
        match self {
            Arch::X86_64 => (0, X32_SYSCALL_BIT as u64),
            Arch::X32 => (X32_SYSCALL_BIT, 1 << 32),
            Arch::X86 | Arch::Aarch64 | Arch::Arm => (0, 1 << 32),
        }
    }

    /// The number of syscall `name` on this architecture (with the x32 bit for x32), or
    /// `None` when it has no such syscall.
    ///
    /// ```
    /// use hull_seccomp::Arch;
    /// assert_eq!(Arch::X86_64.syscall_number("mkdir"), Some(83));
    /// assert_eq!(Arch::X32.syscall_number("mkdir"), Some(0x4000_0000 + 83));
    /// assert_eq!(Arch::Aarch64.syscall_number("mkdir"), None);
    /// ```
    pub fn syscall_number(self, name: &str) -> Option<u32> {
        lookup(name).and_then(|numbers| self.number_in(numbers))
    }

    /// The name of syscall `number` on this architecture, if it has one.
    pub fn syscall_name(self, number: u32) -> Option<&'static str> {
        tables::SYSCALLS
            .iter()
            .find(|(_, numbers)| self.number_in(numbers) == Some(number))
            .map(|&(name, _)| name)
    }

    /// Every syscall of this architecture as `(name, number)`, sorted by name.
    pub fn syscalls(self) -> impl Iterator<Item = (&'static str, u32)> {
        tables::SYSCALLS
            .iter()
            .filter_map(move |(name, numbers)| Some((*name, self.number_in(numbers)?)))
    }

    /// Whether Linux has a syscall called `name` on any architecture (a rule naming one
    /// that only other architectures have is skipped without a warning, as libseccomp
    /// knows it).
    pub fn is_known_syscall(name: &str) -> bool {
        lookup(name).is_some()
    }

    /// This architecture's number in a row of the syscall table.
    pub(crate) fn number_in(self, numbers: &[u32; 5]) -> Option<u32> {
        let column = match self {
            Arch::X86_64 => 0,
            Arch::X86 => 1,
            Arch::X32 => 2,
            Arch::Aarch64 => 3,
            Arch::Arm => 4,
        };
        match numbers.get(column) {
            Some(&u32::MAX) | None => None,
            Some(&number) if self == Arch::X32 => Some(number | X32_SYSCALL_BIT),
            Some(&number) => Some(number),
        }
    }
}

/// The numbers of syscall `name` on every architecture (a row for [`Arch::number_in`]), or
/// `None` when Linux has no such syscall anywhere.
pub(crate) fn lookup(name: &str) -> Option<&'static [u32; 5]> {
    let table = tables::SYSCALLS;
    let index = table.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    table.get(index).map(|(_, numbers)| numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_numbers() {
        assert_eq!(Arch::X86_64.syscall_number("read"), Some(0));
        assert_eq!(Arch::X86_64.syscall_number("personality"), Some(135));
        assert_eq!(Arch::X86.syscall_number("personality"), Some(136));
        assert_eq!(Arch::X86.syscall_number("socketcall"), Some(102));
        assert_eq!(
            Arch::X32.syscall_number("rt_sigaction"),
            Some(0x4000_0000 + 512)
        );
        assert_eq!(Arch::Aarch64.syscall_number("personality"), Some(92));
        assert_eq!(Arch::Arm.syscall_number("mkdir"), Some(39));
        assert_eq!(Arch::Arm.syscall_number("cacheflush"), Some(0x0f_0002));
        for arch in Arch::ALL {
            assert_eq!(
                arch.syscall_number("clone3").map(|n| n & !X32_SYSCALL_BIT),
                Some(435)
            );
        }
        assert_eq!(Arch::X86_64.syscall_number("socketcall"), None);
        assert_eq!(Arch::X86_64.syscall_number("no_such_call"), None);
        assert!(Arch::is_known_syscall("socketcall"));
        assert!(Arch::is_known_syscall("swapcontext"));
        assert!(!Arch::is_known_syscall("no_such_call"));
    }

    #[test]
    fn names_from_numbers() {
        assert_eq!(Arch::X86_64.syscall_name(83), Some("mkdir"));
        assert_eq!(Arch::X32.syscall_name(0x4000_0000 + 83), Some("mkdir"));
        assert_eq!(Arch::X32.syscall_name(83), None);
        assert_eq!(Arch::X86_64.syscall_name(0x4000_0000 + 83), None);
    }

    #[test]
    fn tables_are_consistent() {
        let table = tables::SYSCALLS;
        assert!(
            table.windows(2).all(|w| w[0].0 < w[1].0),
            "not sorted by name"
        );
        for arch in Arch::ALL {
            let mut numbers: Vec<u32> = arch.syscalls().map(|(_, n)| n).collect();
            assert!(
                numbers.len() > 300,
                "{arch:?} has {} syscalls",
                numbers.len()
            );
            numbers.sort_unstable();
            let count = numbers.len();
            numbers.dedup();
            assert_eq!(numbers.len(), count, "{arch:?} has a number twice");
            let (start, end) = arch.number_range();
            assert!(numbers.iter().all(|&n| n >= start && u64::from(n) < end));
        }
    }

    #[test]
    fn config_names_round_trip() {
        for arch in Arch::ALL {
            assert_eq!(Arch::from_config(arch.to_config()), Some(arch));
        }
        assert_eq!(Arch::from_config(SeccompArch::S390X), None);
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
    fn native_is_x86_64() {
        assert_eq!(Arch::native(), Some(Arch::X86_64));
    }
}
