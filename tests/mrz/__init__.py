"""Tests of ICAO 9303 MRZ parsing, building and OCR."""
