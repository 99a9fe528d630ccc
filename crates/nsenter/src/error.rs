//! Errors of `hull-nsenter`.

use nix::errno::Errno;

/// Result of `hull-nsenter` operations.
pub type Result<T, E = NsenterError> = std::result::Result<T, E>;

/// What can go wrong talking to the other side of the init channel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NsenterError {
    /// The socket pair could not be made.
    #[error("cannot create the init socket pair")]
    Create(#[source] Errno),
    /// Sending failed.
    #[error("cannot send a message to the other side")]
    Send(#[source] Errno),
    /// Receiving failed.
    #[error("cannot receive a message from the other side")]
    Receive(#[source] Errno),
    /// The other side closed its end (it exited, or failed before it could say why).
    #[error("the other side closed the channel")]
    Closed,
    /// A message could not be encoded.
    #[error("cannot encode a message")]
    Encode(#[source] serde_json::Error),
    /// A message was not what this side expected.
    #[error("unexpected message from the other side")]
    Decode(#[source] serde_json::Error),
    /// A message came with more descriptors than [`crate::channel::MAX_FDS`], or they were cut off.
    #[error("a message carried too many file descriptors")]
    TooManyFds,
}
