"""deepfake_lib: the library behind the deepfake-detection reproducibility book.

One module per concept; each function's docstring names the notebook section that
defines and explains it. Heavy dependencies (TensorFlow/Keras, OpenCV, MTCNN) are
imported inside the modules that need them, so ``import deepfake_lib`` stays fast.
"""

__version__ = "0.1.0"
