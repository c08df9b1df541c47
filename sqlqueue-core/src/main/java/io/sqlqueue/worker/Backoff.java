package io.sqlqueue.worker;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a failed job waits before its next attempt.
 *
 * <ul>
 * <li>{@link Policy#CONSTANT}: {@code base} every time;</li>
 * <li>{@link Policy#LINEAR}: {@code base * attempt};</li>
 * <li>{@link Policy#EXPONENTIAL}: {@code base * 2^(attempt - 1)};</li>
 * </ul>
 * each capped at {@code max}, then spread by {@code ±jitter} (a fraction of the delay) so that jobs
 * that failed together do not retry together.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1)).withJitter(0.2);
 * }</pre>
 *
 * @param policy how the delay grows with the attempt number
 * @param base the first delay
 * @param max the largest delay
 * @param jitter the random spread, from 0 (none) to 1 (±100%)
 */
public record Backoff(Policy policy, Duration base, Duration max, double jitter) {

	/** The default: exponential from 1 second to 1 hour with 20% jitter. */
	public static final Backoff DEFAULT = new Backoff(Policy.EXPONENTIAL, Duration.ofSeconds(1), Duration.ofHours(1),
			0.2);

	/**
	 * The metadata key under which a job carries a backoff of its own
	 * ({@link io.sqlqueue.EnqueueOptions#withBackoff(Backoff)}), which wins over its handler's and queue's.
	 */
	public static final String METADATA_KEY = "sqlqueue.backoff";

	/** How the delay grows with the attempt number. */
	public enum Policy {

		/** The same delay every time. */
		CONSTANT,
		/** {@code base * attempt}. */
		LINEAR,
		/** {@code base * 2^(attempt - 1)}. */
		EXPONENTIAL

	}

	public Backoff {
		Objects.requireNonNull(policy, "policy must not be null");
		Objects.requireNonNull(base, "base must not be null");
		Objects.requireNonNull(max, "max must not be null");
		if (base.isNegative()) {
			throw new IllegalArgumentException("backoff base must not be negative, was " + base);
		}
		if (max.compareTo(base) < 0) {
			throw new IllegalArgumentException("backoff max (" + max + ") must not be less than its base (" + base + ")");
		}
		if (!(jitter >= 0 && jitter <= 1)) {
			throw new IllegalArgumentException("backoff jitter must be between 0 and 1, was " + jitter);
		}
	}

	/** {@code delay} after every failure, no jitter. */
	public static Backoff constant(Duration delay) {
		return new Backoff(Policy.CONSTANT, delay, delay, 0);
	}

	/** {@code base * attempt}, capped at {@code max}, no jitter. */
	public static Backoff linear(Duration base, Duration max) {
		return new Backoff(Policy.LINEAR, base, max, 0);
	}

	/** {@code base * 2^(attempt - 1)}, capped at {@code max}, no jitter. */
	public static Backoff exponential(Duration base, Duration max) {
		return new Backoff(Policy.EXPONENTIAL, base, max, 0);
	}

	/** A copy with {@code jitter}. */
	public Backoff withJitter(double jitter) {
		return new Backoff(this.policy, this.base, this.max, jitter);
	}

	/**
	 * This backoff as stored in a job's metadata: {@code POLICY baseMillis maxMillis jitter}.
	 * @see #fromMetadataValue(String)
	 */
	public String toMetadataValue() {
		return this.policy + " " + this.base.toMillis() + " " + this.max.toMillis() + " " + this.jitter;
	}

	/**
	 * Reads a backoff written by {@link #toMetadataValue()}.
	 * @throws IllegalArgumentException naming the value when it is not one
	 */
	public static Backoff fromMetadataValue(String value) {
		String[] parts = (value != null) ? value.trim().split("\\s+") : new String[0];
		if (parts.length != 4) {
			throw new IllegalArgumentException("Not a backoff: '" + value + "' (expected 'POLICY baseMillis maxMillis jitter')");
		}
		try {
			return new Backoff(Policy.valueOf(parts[0]), Duration.ofMillis(Long.parseLong(parts[1])),
					Duration.ofMillis(Long.parseLong(parts[2])), Double.parseDouble(parts[3]));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Not a backoff: '" + value + "': " + ex.getMessage(), ex);
		}
	}

	/**
	 * The delay after attempt number {@code attempt} (1 for the first run) failed.
	 */
	public Duration delayAfter(int attempt) {
		int n = Math.max(1, attempt);
		long baseMillis = this.base.toMillis();
		long maxMillis = this.max.toMillis();
		long millis = switch (this.policy) {
			case CONSTANT -> baseMillis;
			case LINEAR -> saturatedMultiply(baseMillis, n);
			case EXPONENTIAL -> (n - 1 >= 62) ? Long.MAX_VALUE : saturatedMultiply(baseMillis, 1L << (n - 1));
		};
		millis = Math.min(millis, maxMillis);
		if (this.jitter > 0 && millis > 0) {
			double spread = millis * this.jitter;
			millis = Math.round(millis + ThreadLocalRandom.current().nextDouble(-spread, spread));
			millis = Math.max(0, Math.min(millis, maxMillis));
		}
		return Duration.ofMillis(millis);
	}

	private static long saturatedMultiply(long a, long b) {
		long high = Math.multiplyHigh(a, b);
		long result = a * b;
		return (high == 0 && result >= 0) ? result : Long.MAX_VALUE;
	}

}
