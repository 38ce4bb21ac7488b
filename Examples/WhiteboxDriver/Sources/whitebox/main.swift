import BoxlessCommand
import WhiteboxCatalog

// `whitebox`: every `boxless` subcommand, with the WBX-100 in the catalog
// (`whitebox lspci -v`, `whitebox replay trace.pcap --nic wbx100`).
BoxlessCommand.main(catalog: Whitebox.catalog)
