//! Whether a program is statically linked: a dynamic one names its loader in a `PT_INTERP`
//! program header, a static one (static-pie included) has none.
//!
//! `hull-tests` has the same check for the tests; xtask may not depend on it.

use std::path::Path;

use crate::error::{Result, XtaskError};

/// The program header type that names the interpreter.
const PT_INTERP: u32 = 3;

/// Why ELF headers could not be read. Only 64-bit little-endian files are understood.
#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    /// No ELF magic.
    #[error("not an ELF file")]
    NotElf,
    /// ELF, but of another class or byte order.
    #[error("not a 64-bit little-endian ELF file (class {class}, data {data})")]
    Unsupported {
        /// `EI_CLASS`.
        class: u8,
        /// `EI_DATA`.
        data: u8,
    },
    /// A header points past the end of the file.
    #[error("truncated ELF headers")]
    Truncated,
}

/// Fails unless the program at `path` is a statically linked ELF file.
pub fn ensure_static(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|source| XtaskError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    match interpreter(&bytes) {
        Ok(None) => Ok(()),
        Ok(Some(interpreter)) => Err(XtaskError::NotStatic {
            path: path.to_owned(),
            interpreter,
        }),
        Err(source) => Err(XtaskError::Elf {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Whether the program at `path` is a statically linked ELF file; `false` on any doubt.
pub fn is_static(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| matches!(interpreter(&bytes), Ok(None)))
}

/// The interpreter named by ELF image `bytes`, `None` when there is no `PT_INTERP`.
fn interpreter(bytes: &[u8]) -> Result<Option<String>, ElfError> {
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(ElfError::NotElf);
    }
    let (class, data) = (bytes.get(4).copied(), bytes.get(5).copied());
    if (class, data) != (Some(2), Some(1)) {
        return Err(ElfError::Unsupported {
            class: class.unwrap_or(0),
            data: data.unwrap_or(0),
        });
    }
    let phoff = field(bytes, 0x20, 8)?;
    let phentsize = field(bytes, 0x36, 2)?;
    let phnum = field(bytes, 0x38, 2)?;
    for index in 0..phnum {
        // At most 65535 headers of 65535 bytes: only the addition can overflow.
        let header = phoff
            .checked_add(index * phentsize)
            .ok_or(ElfError::Truncated)?;
        if field(bytes, header, 4)? == u64::from(PT_INTERP) {
            let offset = field(bytes, header + 0x08, 8)?;
            let size = field(bytes, header + 0x20, 8)?;
            let name = range(bytes, offset, size)?;
            let name = name.split(|&b| b == 0).next().unwrap_or_default();
            return Ok(Some(String::from_utf8_lossy(name).into_owned()));
        }
    }
    Ok(None)
}

/// The little-endian unsigned integer of `len` (at most 8) bytes at `offset`.
fn field(bytes: &[u8], offset: u64, len: u64) -> Result<u64, ElfError> {
    let raw = range(bytes, offset, len)?;
    Ok(raw
        .iter()
        .rev()
        .fold(0, |value, &byte| (value << 8) | u64::from(byte)))
}

fn range(bytes: &[u8], offset: u64, len: u64) -> Result<&[u8], ElfError> {
    let start = usize::try_from(offset).map_err(|_| ElfError::Truncated)?;
    let len = usize::try_from(len).map_err(|_| ElfError::Truncated)?;
    let end = start.checked_add(len).ok_or(ElfError::Truncated)?;
    bytes.get(start..end).ok_or(ElfError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ELF header with one program header of type `ty` whose data is "/lib/ld.so".
    fn image(ty: u32) -> Vec<u8> {
        let mut bytes = vec![0; 0x40 + 0x38];
        bytes[..6].copy_from_slice(b"\x7fELF\x02\x01");
        bytes[0x20] = 0x40;
        bytes[0x36] = 0x38;
        bytes[0x38] = 1;
        bytes[0x40..0x44].copy_from_slice(&ty.to_le_bytes());
        bytes[0x48] = 0x78;
        bytes[0x60] = 11;
        bytes.extend_from_slice(b"/lib/ld.so\0");
        bytes
    }

    #[test]
    fn finds_the_interpreter() {
        let found = interpreter(&image(PT_INTERP)).unwrap();
        assert_eq!(found.as_deref(), Some("/lib/ld.so"));
        assert_eq!(interpreter(&image(1)).unwrap(), None);
    }

    #[test]
    fn rejects_other_files() {
        assert!(matches!(interpreter(b"#!/bin/sh"), Err(ElfError::NotElf)));
        let mut big_endian = image(1);
        big_endian[5] = 2;
        assert!(matches!(
            interpreter(&big_endian),
            Err(ElfError::Unsupported { class: 2, data: 2 })
        ));
        assert!(matches!(
            interpreter(&image(PT_INTERP)[..0x70]),
            Err(ElfError::Truncated)
        ));
    }

    #[test]
    fn reads_this_test_binary() {
        let exe = std::env::current_exe().unwrap();
        assert!(interpreter(&std::fs::read(exe).unwrap()).is_ok());
    }
}
