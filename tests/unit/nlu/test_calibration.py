import numpy as np
import pytest

from nlu.calibration import HELD_OUT, OFF_TOPIC, choose_thresholds
from nlu.fusion import Fusion, pair_features


def test_pair_features_give_each_article_its_lead_over_the_best_other():
    parts = {"dense": np.array([[0.9, 0.5, 0.2]], dtype=np.float32)}
    features = pair_features(parts, ("dense",), np.zeros((1, 3), dtype=bool))
    assert features[0, :, 0] == pytest.approx([0.9, 0.5, 0.2])
    assert features[0, :, 1] == pytest.approx([0.4, -0.4, -0.7])


def test_excluded_articles_are_ignored_for_the_lead():
    parts = {"dense": np.array([[0.9, 0.5, 0.2]], dtype=np.float32)}
    excluded = np.array([[True, False, False]])
    features = pair_features(parts, ("dense",), excluded)
    assert features[0, 1, 1] == pytest.approx(0.3)


def test_unfitted_fusion_averages_parts():
    parts = {"a": np.array([[0.8, 0.2]]), "b": np.array([[0.4, 0.0]])}
    fused = Fusion(("a", "b")).score(parts, np.zeros((1, 2), dtype=bool))
    assert fused[0] == pytest.approx([0.6, 0.1])


def test_fitted_fusion_prefers_the_informative_part():
    rng = np.random.default_rng(0)
    good = rng.random((400, 4)).astype(np.float32)
    noise = rng.random((400, 4)).astype(np.float32)
    labels = good.argmax(axis=1)
    parts = {"good": good, "noise": noise}
    excluded = np.zeros_like(good, dtype=bool)
    features = pair_features(parts, ("good", "noise"), excluded).reshape(-1, 4)
    target = (np.arange(4)[None, :] == labels[:, None]).reshape(-1).astype(int)
    fusion = Fusion(("good", "noise")).fit(features, target)
    weights = fusion.weights()
    assert weights["good_lead"] > abs(weights["noise_lead"])
    assert (fusion.score(parts, excluded).argmax(axis=1) == labels).mean() > 0.95


def test_threshold_separates_in_scope_from_out_of_scope():
    fused = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.1], [0.3, 0.0]])
    labels = np.array([0, 0, -1, -1])
    thresholds = choose_thresholds(fused, labels)
    assert thresholds.calibrated
    assert 0.3 < thresholds.answer <= 0.8


def test_threshold_defaults_without_out_of_scope_samples():
    thresholds = choose_thresholds(np.array([[0.9, 0.1]]), np.array([0]))
    assert not thresholds.calibrated


def test_clarify_threshold_stays_above_most_chatter():
    # In-scope rows score 0.6 (right article); held-out rows 0.1; chatter mostly 0.05 but a tenth 0.3.
    inside = np.tile([[0.6, 0.0]], (10, 1))
    held_out = np.tile([[0.1, 0.0]], (10, 1))
    chatter = np.array([[0.05, 0.0]] * 18 + [[0.3, 0.0]] * 2)
    fused = np.vstack([inside, held_out, chatter])
    labels = np.array([0] * 10 + [HELD_OUT] * 10 + [OFF_TOPIC] * 20)
    thresholds = choose_thresholds(fused, labels)
    assert thresholds.answer == pytest.approx(0.6)
    # Half the answer threshold (0.3) is above what 19 in 20 chatter lines score: it stays.
    assert thresholds.clarify == pytest.approx(0.3)
    quiet = np.vstack([inside, held_out, np.tile([[0.01, 0.0]], (20, 1))])
    assert choose_thresholds(quiet, labels).clarify == pytest.approx(0.3)
    loud = np.vstack([inside, held_out, np.tile([[0.45, 0.0]], (20, 1))])
    assert choose_thresholds(loud, labels).clarify == pytest.approx(0.45)
