package io.sqlqueue;

/**
 * No handler is registered for a job type: a claimed job of that type is dead-lettered with this
 * message, and a typed enqueue of an unregistered payload class throws it.
 */
public class UnknownJobTypeException extends SqlQueueException {

	public UnknownJobTypeException(String message) {
		super(message);
	}

}
