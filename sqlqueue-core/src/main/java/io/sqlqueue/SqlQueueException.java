package io.sqlqueue;

/** Base class of the exceptions sqlqueue throws. */
public class SqlQueueException extends RuntimeException {

	public SqlQueueException(String message) {
		super(message);
	}

	public SqlQueueException(String message, Throwable cause) {
		super(message, cause);
	}

}
