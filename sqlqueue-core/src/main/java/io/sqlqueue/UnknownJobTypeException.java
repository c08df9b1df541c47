package io.sqlqueue;

/**
 * No handler is registered for a job type: a claimed job of that type is dead-lettered with this
 * message, and a typed enqueue of an unregistered payload class throws it.
 *
 * <pre>{@code
 * try {
 *     jobs.enqueue(new SendEmail(to));
 * }
 * catch (UnknownJobTypeException ex) {
 *     jobs.enqueue("send-email", new SendEmail(to)); // name the type when no local handler declares the class
 * }
 * }</pre>
 */
public class UnknownJobTypeException extends SqlQueueException {

	/** An exception with {@code message}, which names the type or payload class and what to do instead. */
	public UnknownJobTypeException(String message) {
		super(message);
	}

}
