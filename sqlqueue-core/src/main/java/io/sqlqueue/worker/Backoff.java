package io.sqlqueue.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.InvalidSettingException;

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

	/**
	 * Checks the backoff.
	 * @throws InvalidSettingException when the policy, base or max is {@code null}, the base is negative, the max
	 * is less than the base, or the jitter is not between 0 and 1
	 */
	public Backoff {
		InvalidSettingException.requireNonNull("policy", policy);
		InvalidSettingException.requireNotNegative("base", base);
		InvalidSettingException.requireNonNull("max", max);
		requireMaxNotBelowBase(base, max);
		requireJitter(jitter);
	}

	private static void requireMaxNotBelowBase(Duration base, Duration max) {
		if (max.compareTo(base) < 0) {
			throw new InvalidSettingException("max", "must not be less than its base (" + base + "), was " + max);
		}
	}

	private static void requireJitter(double jitter) {
		if (!(jitter >= 0 && jitter <= 1)) {
			throw new InvalidSettingException("jitter", "must be between 0 and 1, was " + jitter);
		}
	}

	/**
	 * Some of a backoff's values, to lay over another backoff: each {@code null} one keeps the other's. A
	 * handler's backoff is its own values over its queue's, a queue's its own over the defaults'.
	 *
	 * <pre>{@code
	 * import io.sqlqueue.worker.Backoff;
	 *
	 * Backoff.Overrides slower = new Backoff.Overrides(null, Duration.ofSeconds(5), Duration.ofHours(2), null);
	 * Backoff backoff = slower.over(Backoff.DEFAULT); // exponential from 5 s to 2 h with 20% jitter
	 * }</pre>
	 *
	 * @param policy how the delay grows, or {@code null} for the other backoff's
	 * @param base the first delay, or {@code null} for the other backoff's
	 * @param max the largest delay, or {@code null} for the other backoff's
	 * @param jitter the random spread, or {@code null} for the other backoff's
	 */
	public record Overrides(@Nullable Policy policy, @Nullable Duration base, @Nullable Duration max, @Nullable Double jitter) {

		/** No values: {@link #over(Backoff)} returns the other backoff as it is. */
		public static final Overrides NONE = new Overrides(null, null, null, null);

		/**
		 * Checks the values that are wrong whatever backoff they are laid over.
		 * @throws InvalidSettingException when the base is negative, the max is less than the base (both given),
		 * or the jitter is not between 0 and 1
		 */
		public Overrides {
			if (base != null) {
				InvalidSettingException.requireNotNegative("base", base);
			}
			if (base != null && max != null) {
				requireMaxNotBelowBase(base, max);
			}
			if (jitter != null) {
				requireJitter(jitter);
			}
		}

		/** Whether every value is {@code null}. */
		public boolean isEmpty() {
			return this.equals(NONE);
		}

		/**
		 * These values over {@code backoff}'s.
		 * @throws InvalidSettingException when the two together are not a valid backoff, such as a base from here
		 * above the other backoff's max
		 */
		public Backoff over(Backoff backoff) {
			return new Backoff((this.policy != null) ? this.policy : backoff.policy,
					(this.base != null) ? this.base : backoff.base, (this.max != null) ? this.max : backoff.max,
					(this.jitter != null) ? this.jitter : backoff.jitter);
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

	/**
	 * A copy with {@code jitter}.
	 * @throws InvalidSettingException when {@code jitter} is not between 0 and 1
	 */
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
