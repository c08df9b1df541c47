package io.sqlqueue;

/**
 * Thrown by a handler to send its job to {@link JobState#DEAD} at once, whatever attempts are left.
 *
 * <pre>{@code
 * if (order == null) {
 *     throw new NonRetryableJobException("order " + id + " does not exist");
 * }
 * }</pre>
 */
public class NonRetryableJobException extends SqlQueueException {

	public NonRetryableJobException(String message) {
		super(message);
	}

	public NonRetryableJobException(String message, Throwable cause) {
		super(message, cause);
	}

}
