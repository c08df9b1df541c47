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

	/** An exception whose {@code message} says why the job cannot succeed; it is recorded in the job's last error. */
	public NonRetryableJobException(String message) {
		super(message);
	}

	/**
	 * An exception whose {@code message} says why the job cannot succeed, caused by {@code cause}; both are
	 * recorded in the job's last error.
	 */
	public NonRetryableJobException(String message, Throwable cause) {
		super(message, cause);
	}

}
