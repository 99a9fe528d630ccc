//! Any bytes as a container's `state.json`, read through the public API as `hull state`,
//! `hull list` and every other command read it: [`Factory::state`] and [`Factory::states`]
//! (the summary a listing parses) and [`Factory::load`] then [`hull_container::Container::state`] (the
//! whole state, configuration included). Nothing panics; a state that loads whole also
//! reads as a summary, and both give the same [`hull_container::State`].

#![no_main]

use std::fs;
use std::sync::OnceLock;

use hull_container::Factory;
use libfuzzer_sys::fuzz_target;

/// The id of the one container under the fuzzer's state root.
const ID: &str = "fuzz";

fuzz_target!(|data: &[u8]| {
    let factory = factory();
    let state_json = factory.root().join(ID).join("state.json");
    fs::write(&state_json, data).expect("state.json can be written");
    let summary = factory.state(ID);
    let listed = factory.states().expect("the state root can be listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, ID);
    let Ok(mut container) = factory.load(ID) else {
        return;
    };
    let whole = container.state().expect("a state that loaded reads again");
    assert_eq!(summary.expect("a whole state reads as a summary"), whole);
});

/// A state root in a temporary directory holding the directory of container [`ID`],
/// made once; it stays behind when the fuzzer exits, as statics are never dropped.
fn factory() -> &'static Factory {
    static FACTORY: OnceLock<(tempfile::TempDir, Factory)> = OnceLock::new();
    let (_root, factory) = FACTORY.get_or_init(|| {
        let root = tempfile::tempdir().expect("a temporary directory");
        let factory = Factory::new(root.path()).expect("a state root");
        fs::create_dir(root.path().join(ID)).expect("the container's directory");
        (root, factory)
    });
    factory
}
