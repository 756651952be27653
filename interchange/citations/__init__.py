"""Sources in the formats reference managers speak: CSL-JSON (the pivot every other format
goes through), BibTeX and RIS, and formatted citations from CSL styles."""
