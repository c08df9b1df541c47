package io.sqlqueue.codec;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.PayloadCodecException;

/**
 * Writes payloads as JSON and binds stored JSON to a handler's declared payload type. The type
 * always comes from the handler's signature, never from the database.
 */
public interface PayloadCodec {

	/**
	 * The payload as JSON text.
	 * @throws PayloadCodecException naming the payload's class when it cannot be written
	 */
	String encode(@Nullable Object payload);

	/**
	 * {@code json} bound to {@code type}.
	 * @throws PayloadCodecException naming the type and what did not match
	 */
	@Nullable Object decode(String json, Type type);

}
