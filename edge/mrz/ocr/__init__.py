"""MRZ OCR with OpenCV: locate the band, cut the cells, recognise OCR-B, correct by grammar.

`edge.mrz.ocr.reader.read_mrz(image)` is the entry point; `sekisho mrz read` its command.
"""
