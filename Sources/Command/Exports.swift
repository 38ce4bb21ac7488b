// What a tool's `main.swift` needs besides ``BoxlessCommand``: the catalog and its `+`, and the
// rest of BoxlessTesting's values (so a tool and its tests see the same declarations).
@_exported import BoxlessTesting
