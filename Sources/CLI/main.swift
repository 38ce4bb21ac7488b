import BoxlessCommand

// `boxless`: the command line over the package's own catalog.
BoxlessCommand.main()
