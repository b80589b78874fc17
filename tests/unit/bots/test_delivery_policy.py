"""Backoff and timeouts of the delivery worker."""

from bots.outbox import DeliveryPolicy
from core.settings import Settings


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    policy = DeliveryPolicy(backoff_base=1.0, backoff_max=60.0)
    for attempts, (low, high) in {1: (0.5, 1.0), 2: (1.0, 2.0), 4: (4.0, 8.0), 10: (30.0, 60.0)}.items():
        delays = [policy.backoff(attempts) for _ in range(50)]
        assert all(low <= d <= high for d in delays), attempts
        assert len(set(delays)) > 1  # jittered: retries of many chats do not line up


def test_a_send_ends_well_before_its_lock():
    assert DeliveryPolicy(lock_seconds=60).send_timeout == 30
    assert DeliveryPolicy(lock_seconds=1).send_timeout == 0.5


def test_policy_from_settings():
    policy = DeliveryPolicy.from_settings(Settings(_env_file=None, outbox_lock_seconds=10, outbox_give_up_minutes=2))
    assert (policy.lock_seconds, policy.give_up_after) == (10, 120)
