// What a tool's `main.swift` needs besides ``BoxlessCommand``: the catalog types, one declaration
// at a time (the same declarations BoxlessTesting re-exports, so importing both is not ambiguous).
@_exported import struct BoxlessRunner.CatalogEntry
@_exported import struct BoxlessRunner.DeviceCatalog
@_exported import struct BoxlessRunner.DiagnosticRegister
