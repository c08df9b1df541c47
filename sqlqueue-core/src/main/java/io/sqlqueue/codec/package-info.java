/**
 * How payloads and results are written and read: the codec and its Jackson implementation.
 */
@NullMarked
package io.sqlqueue.codec;

import org.jspecify.annotations.NullMarked;
