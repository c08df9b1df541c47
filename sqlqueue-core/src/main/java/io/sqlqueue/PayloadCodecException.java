package io.sqlqueue;

/**
 * A payload could not be written as JSON at enqueue, or a stored payload could not be bound to
 * the handler's declared type. The latter dead-letters the job at once: retrying cannot help.
 *
 * <pre>{@code
 * try {
 *     jobs.enqueue("export", report);
 * }
 * catch (PayloadCodecException ex) {
 *     // nothing was enqueued: report cannot be written as JSON, and the message says why
 * }
 * }</pre>
 */
public class PayloadCodecException extends SqlQueueException {

	/**
	 * An exception with {@code message}, naming the payload type and what failed, caused by the JSON
	 * library's {@code cause}.
	 */
	public PayloadCodecException(String message, Throwable cause) {
		super(message, cause);
	}

	/** An exception with {@code message}, naming the payload type and what failed. */
	public PayloadCodecException(String message) {
		super(message);
	}

}
