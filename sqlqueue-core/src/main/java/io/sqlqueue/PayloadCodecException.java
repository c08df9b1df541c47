package io.sqlqueue;

/**
 * A payload could not be written as JSON at enqueue, or a stored payload could not be bound to
 * the handler's declared type. The latter dead-letters the job at once: retrying cannot help.
 */
public class PayloadCodecException extends SqlQueueException {

	public PayloadCodecException(String message, Throwable cause) {
		super(message, cause);
	}

	public PayloadCodecException(String message) {
		super(message);
	}

}
