package io.sqlqueue.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * How long finished jobs are kept before the cleaner deletes them. A job enqueued with its own
 * retention keeps that instead.
 *
 * @param succeeded how long SUCCEEDED jobs are kept
 * @param dead how long DEAD jobs are kept
 * @param cancelled how long CANCELLED jobs are kept
 */
public record Retention(Duration succeeded, Duration dead, Duration cancelled) {

	/** The default: succeeded 1 day, dead and cancelled 14 days. */
	public static final Retention DEFAULT = new Retention(Duration.ofDays(1), Duration.ofDays(14), Duration.ofDays(14));

	public Retention {
		check(succeeded, "succeeded");
		check(dead, "dead");
		check(cancelled, "cancelled");
	}

	private static void check(Duration value, String name) {
		Objects.requireNonNull(value, () -> "retention of " + name + " jobs must not be null");
		if (value.isNegative()) {
			throw new IllegalArgumentException("retention of " + name + " jobs must not be negative, was " + value);
		}
	}

}
