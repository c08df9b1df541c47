package io.sqlqueue;

/**
 * Base class of the exceptions sqlqueue throws. Failures of the database itself are Spring's data
 * access and transaction exceptions instead.
 *
 * <pre>{@code
 * try {
 *     jobs.enqueue(new SendEmail(to));
 * }
 * catch (SqlQueueException ex) {
 *     // an unregistered payload class, a payload that cannot be written, or a rejected duplicate
 * }
 * }</pre>
 */
public class SqlQueueException extends RuntimeException {

	/** An exception with {@code message}, which names what was wrong. */
	public SqlQueueException(String message) {
		super(message);
	}

	/** An exception with {@code message}, which names what was wrong, caused by {@code cause}. */
	public SqlQueueException(String message, Throwable cause) {
		super(message, cause);
	}

}
