//! hull's log: `tracing` events of hull and of the library, and the final error, written
//! to `--log FILE` (or stderr) in logrus's text or JSON format, as runc writes them and as
//! containerd and conmon read them.
//!
//! A JSON line is `{"level":"error","msg":"...","time":"2026-11-27T21:33:00Z"}` with any
//! fields of the event, keys sorted. A text line in a file is logrus's
//! `time="..." level=error msg="..."`; on stderr it is the plain `hull: msg`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use clap::ValueEnum;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

use crate::error::CliError;
use crate::gojson;

/// How log lines are written (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// logrus's text format (plain lines on stderr).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The log: where lines go and in which format. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Logger {
    sink: Arc<Sink>,
}

#[derive(Debug)]
struct Sink {
    /// The log file, or `None` for stderr.
    file: Option<Mutex<File>>,
    format: LogFormat,
    max: LevelFilter,
}

impl Logger {
    /// Opens the log (`file`, appended to and created with mode 0644, or stderr) and makes
    /// it the destination of every `tracing` event of this process.
    ///
    /// # Errors
    ///
    /// [`CliError::OpenLog`] when the file cannot be opened.
    pub fn install(
        file: Option<&Path>,
        format: LogFormat,
        debug: bool,
    ) -> Result<Logger, CliError> {
        let file = file
            .map(|path| {
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o644)
                    .custom_flags(libc::O_SYNC)
                    .open(path)
                    .map_err(|source| CliError::OpenLog {
                        path: path.to_owned(),
                        source,
                    })
            })
            .transpose()?;
        let max = if debug {
            LevelFilter::DEBUG
        } else {
            LevelFilter::INFO
        };
        let logger = Logger {
            sink: Arc::new(Sink {
                file: file.map(Mutex::new),
                format,
                max,
            }),
        };
        // Only fails when a subscriber is set already, and then that one logs.
        let _ = tracing::subscriber::set_global_default(logger.clone());
        Ok(logger)
    }

    /// Reports the error a command failed with: on the log, and on stderr as well when the
    /// log is a file.
    pub fn error(&self, err: &dyn std::error::Error) {
        let msg = hull_container::chain(err);
        self.sink.write(&Line {
            level: Level::ERROR,
            msg: msg.clone(),
            fields: BTreeMap::new(),
        });
        if self.sink.file.is_some() {
            eprintln!("hull: {msg}");
        }
    }
}

/// One log line.
struct Line {
    level: Level,
    msg: String,
    fields: BTreeMap<String, String>,
}

impl Sink {
    fn write(&self, line: &Line) {
        let text = match (self.format, &self.file) {
            (LogFormat::Json, _) => json(line),
            (LogFormat::Text, Some(_)) => logrus_text(line),
            (LogFormat::Text, None) => plain(line),
        };
        // A log that cannot be written has nowhere to report that; the command goes on.
        let _ = match &self.file {
            Some(file) => file
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .write_all(text.as_bytes()),
            None => io::stderr().lock().write_all(text.as_bytes()),
        };
    }
}

/// logrus's name of a level.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// logrus's JSON format: every field, `level`, `msg` and `time`, keys sorted.
fn json(line: &Line) -> String {
    let mut object = line.fields.clone();
    object.insert("level".into(), level_name(line.level).into());
    object.insert("msg".into(), line.msg.clone());
    object.insert(
        "time".into(),
        hull_container::time::rfc3339(std::time::SystemTime::now()),
    );
    format!("{}\n", gojson::compact(&object))
}

/// logrus's text format without colours: `time`, `level`, `msg`, then the fields sorted.
fn logrus_text(line: &Line) -> String {
    let mut text = format!(
        "time={} level={} msg={}",
        quoted(&hull_container::time::rfc3339(std::time::SystemTime::now())),
        level_name(line.level),
        quoted(&line.msg)
    );
    for (key, value) in &line.fields {
        text.push_str(&format!(" {key}={}", quoted(value)));
    }
    text.push('\n');
    text
}

/// `hull: msg` for errors, `hull: level: msg key=value` for the rest.
fn plain(line: &Line) -> String {
    let mut text = match line.level {
        Level::ERROR => format!("hull: {}", line.msg),
        level => format!("hull: {}: {}", level_name(level), line.msg),
    };
    for (key, value) in &line.fields {
        text.push_str(&format!(" {key}={}", quoted(value)));
    }
    text.push('\n');
    text
}

/// A value as logrus writes it: bare when it holds only `A-Za-z0-9-._/@^+`, else quoted.
fn quoted(value: &str) -> String {
    let bare = |c: char| c.is_ascii_alphanumeric() || "-._/@^+".contains(c);
    if !value.is_empty() && value.chars().all(bare) {
        value.to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Collects an event's message and fields as text.
#[derive(Default)]
struct Fields {
    msg: String,
    fields: BTreeMap<String, String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl Fields {
    fn put(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.msg = value;
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Subscriber for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.sink.max
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.sink.max)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans carry nothing hull logs; they all share one id.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.sink.write(&Line {
            level: *event.metadata().level(),
            msg: fields.msg,
            fields: fields.fields,
        });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(level: Level, msg: &str, fields: &[(&str, &str)]) -> Line {
        Line {
            level,
            msg: msg.to_owned(),
            fields: fields
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    #[test]
    fn json_lines_are_logrus_objects_with_sorted_keys() {
        let text = json(&line(
            Level::WARN,
            "poststart hook failed",
            &[("error", "x")],
        ));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["level"], "warning");
        assert_eq!(value["msg"], "poststart hook failed");
        assert!(text.starts_with(r#"{"error":"x","level":"warning","msg":"#));
        assert!(text.ends_with("Z\"}\n"), "{text}");
    }

    #[test]
    fn text_lines_quote_as_logrus_does() {
        let text = logrus_text(&line(Level::ERROR, "it failed: no", &[("id", "c1")]));
        assert!(text.starts_with("time=\""), "{text}");
        assert!(
            text.ends_with(" level=error msg=\"it failed: no\" id=c1\n"),
            "{text}"
        );
        assert_eq!(plain(&line(Level::ERROR, "boom", &[])), "hull: boom\n");
        assert_eq!(
            plain(&line(Level::WARN, "careful", &[])),
            "hull: warning: careful\n"
        );
    }
}
