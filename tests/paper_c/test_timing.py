"""The real-time readings: keeping up with a stream of clips, and a verdict while it plays."""

from deepfake_lib.paper_c import timing


def latency(per_frame, head=0.01, frames=10):
    return {"frames": frames, "decode_s": per_frame * frames / 3, "mtcnn_crop_s": per_frame * frames / 3,
            "xception_s": per_frame * frames / 3, "head_s": head}


def test_keeps_up_when_a_clip_takes_less_than_it_lasts():
    fast = timing.realtime_readings(latency(0.05), 30, (10, 15))
    assert abs(fast["timing"]["seconds_per_clip"] - (0.05 * 30 + 0.01)) < 1e-9
    assert fast["keeps_up"] is True and fast["while_it_plays"] is False
    assert fast["holds"] is None                             # the readings disagree
    slow = timing.realtime_readings(latency(1.0), 30, (10, 15))
    assert slow["keeps_up"] is False and slow["holds"] is False
    close = timing.realtime_readings(latency(10 / 30), 30, (10, 15))
    assert close["keeps_up"] is None                          # within the timing margin


def test_the_verdict_waits_for_the_last_sampled_frame():
    r = timing.realtime_readings(latency(0.01), 30, (10, 15))
    assert abs(r["clip_seen_before_verdict_s"] - 10 * (1 - 1 / 60)) < 1e-9
    assert "backward LSTM" in r["why"]


def test_the_results_file_verdict_never_reads_a_timing():
    fast = timing.realtime_readings(latency(0.05), 30, (10, 15))
    slow = timing.realtime_readings(latency(1.0), 30, (10, 15))
    assert fast["keeps_up"] is True and slow["keeps_up"] is False
    assert timing.machine_free_verdict(fast) is None is timing.machine_free_verdict(slow)
    assert timing.machine_free_verdict({**fast, "while_it_plays": True}) is True
