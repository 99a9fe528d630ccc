//! Pressure stall information files (`cpu.pressure`, `memory.pressure`, `io.pressure`).

use std::path::Path;

use crate::error::Result;
use crate::file;
use crate::stats::Pressure;

/// Parses a pressure file: `some avg10=0.00 avg60=0.00 avg300=0.00 total=0`, then `full`.
/// `None` when the kernel has no such file (PSI off, or no such controller).
pub(crate) fn read(dir: &Path, name: &str) -> Result<Option<Pressure>> {
    let Some(text) = file::read_optional(dir, name)? else {
        return Ok(None);
    };
    let mut pressure = Pressure::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let bad = || {
            file::parse_error(
                dir,
                name,
                line,
                "\"some|full avg10=.. avg60=.. avg300=.. total=..\"",
            )
        };
        let (kind, pairs) = file::parse_nested_line(line).ok_or_else(bad)?;
        let data = match kind {
            "some" => &mut pressure.some,
            "full" => &mut pressure.full,
            _ => return Err(bad()),
        };
        for (key, value) in pairs {
            let avg = || value.parse::<f64>().map_err(|_| bad());
            match key {
                "avg10" => data.avg10 = avg()?,
                "avg60" => data.avg60 = avg()?,
                "avg300" => data.avg300 = avg()?,
                "total" => data.total = file::parse_u64(dir, name, value)?,
                _ => {}
            }
        }
    }
    Ok(Some(pressure))
}
