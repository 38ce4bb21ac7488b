extension DeviceCatalog {
    /// This catalog with `more` entries after its own (an entry of an existing name replaces it):
    /// what `+` does, by name.
    public func adding(_ more: [CatalogEntry]) -> DeviceCatalog { self + more }

    /// Adds `more` to ``current`` in one step (an entry of an existing name replaces it), so
    /// tests running in parallel can each make sure their entries are there without undoing
    /// another test's. Entries are values: the same name must mean the same entry everywhere.
    public static func include(_ more: [CatalogEntry]) {
        active.withLock { $0 = $0 + more }
    }
}
