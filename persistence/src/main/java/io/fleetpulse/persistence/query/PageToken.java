package io.fleetpulse.persistence.query;

import io.fleetpulse.api.error.ErrorCode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Where the next page of a query starts: the bucket (partition) to read and the Cassandra driver's
 * paging state inside it (none at the start of a bucket). Sent to clients as an opaque URL-safe
 * base64 token that is bound to the query that produced it: a digest over the query's
 * {@linkplain Query#description() description} and the token's content makes a token of another
 * endpoint, subject, filter or range, or an altered one, fail with 400 {@code page.invalid}
 * instead of reading the wrong partition or handing Cassandra a paging state of another query.
 *
 * <p>The digest detects mistakes and tampering, it is not a secret signature: a token grants
 * nothing the same request without a token would not. Layout: version byte, bucket index (int),
 * paging-state length (int) and bytes, first 16 bytes of SHA-256(description, 0, the preceding
 * bytes).
 *
 * @param bucketIndex the bucket to read, 0 being the range's first
 * @param pagingState the driver's paging state within that bucket; empty to start at its beginning
 */
public record PageToken(int bucketIndex, Optional<ByteBuffer> pagingState) {

  private static final byte VERSION = 1;
  private static final int DIGEST_BYTES = 16;
  private static final int HEADER_BYTES = 1 + Integer.BYTES + Integer.BYTES;

  public PageToken {
    if (bucketIndex < 0) {
      throw new IllegalArgumentException("bucketIndex must not be negative: " + bucketIndex);
    }
    pagingState = pagingState.map(ByteBuffer::asReadOnlyBuffer);
  }

  /** The start of the range: its first bucket, from its beginning. */
  public static PageToken start() {
    return new PageToken(0, Optional.empty());
  }

  /** The token text for the query with this description. */
  public String encode(String description) {
    byte[] state = pagingState.map(PageToken::bytes).orElse(new byte[0]);
    ByteBuffer body = ByteBuffer.allocate(HEADER_BYTES + state.length + DIGEST_BYTES);
    body.put(VERSION).putInt(bucketIndex).putInt(state.length).put(state);
    byte[] content = Arrays.copyOf(body.array(), body.position());
    body.put(digest(description, content));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(body.array());
  }

  /**
   * Reads a token a client sent back, or refuses it with {@code page.invalid} when it is not one of
   * ours, was altered, or belongs to another query than the one described.
   *
   * @param bucketCount how many buckets the described query has; a valid token points inside them
   */
  public static PageToken decode(String token, String description, int bucketCount) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token.strip());
    } catch (IllegalArgumentException e) {
      throw invalid("the page token is not URL-safe base64");
    }
    if (raw.length < HEADER_BYTES + DIGEST_BYTES || raw[0] != VERSION) {
      throw invalid("the page token is not one this API issued");
    }
    byte[] content = Arrays.copyOf(raw, raw.length - DIGEST_BYTES);
    byte[] digest = Arrays.copyOfRange(raw, raw.length - DIGEST_BYTES, raw.length);
    if (!MessageDigest.isEqual(digest, digest(description, content))) {
      throw invalid("the page token belongs to another query or was altered: pass back the nextPage of the"
          + " previous response with the same endpoint, filter, from and to");
    }
    ByteBuffer body = ByteBuffer.wrap(content, 1, content.length - 1);
    try {
      int bucketIndex = body.getInt();
      int stateLength = body.getInt();
      if (stateLength != body.remaining() || bucketIndex < 0 || bucketIndex >= bucketCount) {
        throw invalid("the page token is not one this API issued");
      }
      byte[] state = new byte[stateLength];
      body.get(state);
      return new PageToken(bucketIndex, stateLength == 0 ? Optional.empty() : Optional.of(ByteBuffer.wrap(state)));
    } catch (BufferUnderflowException e) {
      throw invalid("the page token is not one this API issued");
    }
  }

  private static QueryRejection invalid(String message) {
    return QueryRejection.of(ErrorCode.PAGE_INVALID, message);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  private static byte[] digest(String description, byte[] content) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(description.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(content);
      return Arrays.copyOf(sha.digest(), DIGEST_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
