package io.sqlqueue;

import java.time.Duration;

/**
 * A setting that is missing or out of range. It names the setting and the problem apart, so that
 * code mapping its own configuration onto the core's settings (properties, annotation attributes)
 * can report the problem under its own name for the setting.
 *
 * <pre>{@code
 * import io.sqlqueue.InvalidSettingException;
 * import io.sqlqueue.worker.QueueSettings;
 *
 * try {
 *     QueueSettings.defaults().withConcurrency(0);
 * }
 * catch (InvalidSettingException ex) {
 *     ex.setting(); // "concurrency"
 *     ex.problem(); // "must be at least 1, was 0"
 * }
 * }</pre>
 *
 * <p>The static {@code require...} methods are the rules several settings share.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String setting;

	private final String problem;

	/**
	 * An exception whose message is the setting followed by the problem.
	 * @param setting the setting's name in the core, such as {@code pollInterval}
	 * @param problem what is wrong with its value, such as {@code must be positive, was PT0S}
	 */
	public InvalidSettingException(String setting, String problem) {
		this(setting, problem, setting + " " + problem);
	}

	/**
	 * An exception whose message says more than the setting and the problem, such as which object the setting
	 * belongs to.
	 * @param setting the setting's name in the core
	 * @param problem what is wrong with its value
	 * @param message the exception's message
	 */
	public InvalidSettingException(String setting, String problem, String message) {
		super(message);
		this.setting = setting;
		this.problem = problem;
	}

	/** The setting's name in the core, such as {@code concurrency} or {@code vacuumDeadRows}. */
	public String setting() {
		return this.setting;
	}

	/** What is wrong with the value, such as {@code must be at least 1, was 0}. */
	public String problem() {
		return this.problem;
	}

	/**
	 * Returns {@code value} unless it is {@code null}.
	 * @throws InvalidSettingException naming {@code setting} when it is
	 */
	public static <T> T requireNonNull(String setting, T value) {
		if (value == null) {
			throw new InvalidSettingException(setting, "must not be null");
		}
		return value;
	}

	/**
	 * Returns {@code value} unless it is below {@code min}.
	 * @throws InvalidSettingException naming {@code setting} when it is
	 */
	public static int requireAtLeast(String setting, int min, int value) {
		if (value < min) {
			throw new InvalidSettingException(setting, "must be at least " + min + ", was " + value);
		}
		return value;
	}

	/**
	 * Returns {@code value} unless it is {@code null}, zero or negative.
	 * @throws InvalidSettingException naming {@code setting} when it is
	 */
	public static Duration requirePositive(String setting, Duration value) {
		requireNonNull(setting, value);
		if (value.isNegative() || value.isZero()) {
			throw new InvalidSettingException(setting, "must be positive, was " + value);
		}
		return value;
	}

	/**
	 * Returns {@code value} unless it is {@code null} or negative.
	 * @throws InvalidSettingException naming {@code setting} when it is
	 */
	public static Duration requireNotNegative(String setting, Duration value) {
		requireNonNull(setting, value);
		if (value.isNegative()) {
			throw new InvalidSettingException(setting, "must not be negative, was " + value);
		}
		return value;
	}

	/**
	 * Returns {@code value}, a number of attempts, when it is positive or {@code -1} (no limit).
	 * @throws InvalidSettingException naming {@code setting} when it is neither
	 */
	public static int requireAttempts(String setting, int value) {
		if (value == 0 || value < -1) {
			throw new InvalidSettingException(setting, "must be positive or -1 (no limit), was " + value);
		}
		return value;
	}

}
