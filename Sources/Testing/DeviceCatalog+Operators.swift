import BoxlessRunner

/// `catalog + [entry]`: `catalog` with `more` after its own entries (an entry of an existing name
/// replaces it), e.g. `DeviceCatalog.standard + [myEntry]`. The catalog's own `+` is a member of
/// the runner's type; this is the one a package that imports only the products sees.
public func + (catalog: DeviceCatalog, more: [CatalogEntry]) -> DeviceCatalog { catalog.adding(more) }
