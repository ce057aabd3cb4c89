// Ink imports react-devtools-core only when DEV=true. It is not a dependency
// of cws, so the bundle gets this empty stand-in instead of a missing import.
export default {connectToDevTools() {}, initialize() {}};
