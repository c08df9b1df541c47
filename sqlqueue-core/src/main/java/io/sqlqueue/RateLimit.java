package io.sqlqueue;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code starts} job starts per {@code period} on a queue, across the cluster: in any window of one
 * period (database clock), counted at claim, no more jobs start, retries and snoozed runs included. With
 * {@code perKey}, the limit holds for each concurrency key apart.
 *
 * <pre>{@code
 * RateLimit.parse("100/1m");                       // 100 starts a minute
 * RateLimit.of(5, Duration.ofSeconds(1)).forEachKey(); // 5 a second per tenant
 * }</pre>
 *
 * @param starts the most starts in one period
 * @param period the window
 * @param perKey whether the limit holds per concurrency key rather than for the whole queue
 */
public record RateLimit(int starts, Duration period, boolean perKey) {

	private static final Pattern TEXT = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(ms|s|m|h|d)\\s*");

	/**
	 * Checks the limit.
	 * @throws InvalidSettingException when {@code starts} is below 1 or the period is not positive
	 */
	public RateLimit {
		InvalidSettingException.requireAtLeast("starts", 1, starts);
		InvalidSettingException.requirePositive("period", period);
	}

	/** {@code starts} per {@code period} for the whole queue. */
	public static RateLimit of(int starts, Duration period) {
		return new RateLimit(starts, period, false);
	}

	/** The same limit for each concurrency key apart. */
	public RateLimit forEachKey() {
		return new RateLimit(this.starts, this.period, true);
	}

	/**
	 * Reads {@code starts/period}, the period a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h},
	 * {@code d}; the number may be left out for one): {@code 100/1m}, {@code 50/s}, {@code 1000/h}.
	 * @throws InvalidSettingException naming the text and the form expected
	 */
	public static RateLimit parse(String text) {
		Matcher matcher = (text != null) ? TEXT.matcher(text.toLowerCase(Locale.ROOT)) : null;
		if (matcher == null || !matcher.matches()) {
			throw new InvalidSettingException("rateLimit", "must be starts/period such as 100/1m or 50/s, was '" + text + "'");
		}
		long amount = matcher.group(2).isEmpty() ? 1 : Long.parseLong(matcher.group(2));
		Duration period;
		try {
			period = switch (matcher.group(3)) {
				case "ms" -> Duration.ofMillis(amount);
				case "s" -> Duration.ofSeconds(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				default -> Duration.ofDays(amount);
			};
		}
		catch (ArithmeticException | DateTimeParseException ex) {
			throw new InvalidSettingException("rateLimit", "has a period too long, was '" + text + "'");
		}
		return new RateLimit(Integer.parseInt(matcher.group(1)), period, false);
	}

	@Override
	public String toString() {
		return this.starts + "/" + this.period + (this.perKey ? " per key" : "");
	}

}
