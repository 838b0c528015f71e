package dev.graft.pkcs11.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.graft.pkcs11.Pkcs11Exception;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One loaded PKCS#11 module, with the Cryptoki functions Graft needs bound as typed Java methods.
 * Every return value other than {@code CKR_OK} becomes a {@link CkrException}; every native buffer
 * lives in a confined arena for the length of one call, and buffers that held a PIN or decrypted
 * data are zeroed before they are freed.
 *
 * <p>Instances are immutable and safe to share between threads: the module is initialised with
 * {@code CKF_OS_LOCKING_OK}, so the library does its own locking. What is <em>not</em> safe is to
 * use one session handle from two threads at once (PKCS#11 keeps one active operation per session);
 * {@code TokenSession} guarantees that.
 *
 * <p>Obtain instances through {@link ModuleRegistry}, which makes sure {@code C_Initialize} and
 * {@code C_Finalize} are called once per module per process.
 */
public final class Cryptoki {
  private static final Linker LINKER = Linker.nativeLinker();

  /** {@code CK_ULONG}: C {@code unsigned long}, 8 bytes on LP64 platforms (checked in load). */
  private static final ValueLayout.OfLong CK_ULONG = JAVA_LONG;

  private static final AddressLayout POINTER = ADDRESS;

  private static final StructLayout CK_VERSION =
      MemoryLayout.structLayout(JAVA_BYTE.withName("major"), JAVA_BYTE.withName("minor"));

  static final StructLayout CK_ATTRIBUTE =
      MemoryLayout.structLayout(
          CK_ULONG.withName("type"), POINTER.withName("pValue"), CK_ULONG.withName("ulValueLen"));

  static final StructLayout CK_MECHANISM =
      MemoryLayout.structLayout(
          CK_ULONG.withName("mechanism"),
          POINTER.withName("pParameter"),
          CK_ULONG.withName("ulParameterLen"));

  static final StructLayout CK_C_INITIALIZE_ARGS =
      MemoryLayout.structLayout(
          POINTER.withName("CreateMutex"),
          POINTER.withName("DestroyMutex"),
          POINTER.withName("LockMutex"),
          POINTER.withName("UnlockMutex"),
          CK_ULONG.withName("flags"),
          POINTER.withName("pReserved"));

  /** Padding is explicit: FFM refuses a misaligned member, so a wrong offset cannot slip in. */
  static final StructLayout CK_INFO =
      MemoryLayout.structLayout(
          CK_VERSION.withName("cryptokiVersion"),
          MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("manufacturerID"),
          MemoryLayout.paddingLayout(6),
          CK_ULONG.withName("flags"),
          MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("libraryDescription"),
          CK_VERSION.withName("libraryVersion"),
          MemoryLayout.paddingLayout(6));

  static final StructLayout CK_TOKEN_INFO =
      MemoryLayout.structLayout(
          MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("label"),
          MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("manufacturerID"),
          MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("model"),
          MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("serialNumber"),
          CK_ULONG.withName("flags"),
          CK_ULONG.withName("ulMaxSessionCount"),
          CK_ULONG.withName("ulSessionCount"),
          CK_ULONG.withName("ulMaxRwSessionCount"),
          CK_ULONG.withName("ulRwSessionCount"),
          CK_ULONG.withName("ulMaxPinLen"),
          CK_ULONG.withName("ulMinPinLen"),
          CK_ULONG.withName("ulTotalPublicMemory"),
          CK_ULONG.withName("ulFreePublicMemory"),
          CK_ULONG.withName("ulTotalPrivateMemory"),
          CK_ULONG.withName("ulFreePrivateMemory"),
          CK_VERSION.withName("hardwareVersion"),
          CK_VERSION.withName("firmwareVersion"),
          MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("utcTime"),
          MemoryLayout.paddingLayout(4));

  static final StructLayout CK_MECHANISM_INFO =
      MemoryLayout.structLayout(
          CK_ULONG.withName("ulMinKeySize"),
          CK_ULONG.withName("ulMaxKeySize"),
          CK_ULONG.withName("flags"));

  /** PKCS#11 2.40 header and 3.0 layout: the IV length in bytes and in bits. */
  static final StructLayout CK_GCM_PARAMS =
      MemoryLayout.structLayout(
          POINTER.withName("pIv"),
          CK_ULONG.withName("ulIvLen"),
          CK_ULONG.withName("ulIvBits"),
          POINTER.withName("pAAD"),
          CK_ULONG.withName("ulAADLen"),
          CK_ULONG.withName("ulTagBits"));

  private static final long CKR_OK = 0L;

  /** How often a list call is repeated when the list grew between the size query and the read. */
  private static final int LIST_ATTEMPTS = 5;

  /** Objects fetched per {@code C_FindObjects} call. */
  private static final int FIND_BATCH = 64;

  /** A signature of any mechanism Graft uses fits (RSA-4096 is 512 bytes); else retried. */
  private static final int SIGNATURE_GUESS = 512;

  /**
   * The functions Graft binds, at their index in {@code CK_FUNCTION_LIST} (the order of {@code
   * pkcs11f.h}, PKCS#11 2.40 and 3.0 alike). The list starts with a {@code CK_VERSION} padded to 8
   * bytes, so function {@code i} is the pointer at offset {@code 8 + 8 * i}.
   */
  @SuppressWarnings("ImmutableEnumChecker") // FunctionDescriptor is immutable, just not annotated
  enum Fn {
    C_Initialize(0, FunctionDescriptor.of(CK_ULONG, POINTER)),
    C_Finalize(1, FunctionDescriptor.of(CK_ULONG, POINTER)),
    C_GetInfo(2, FunctionDescriptor.of(CK_ULONG, POINTER)),
    C_GetSlotList(4, FunctionDescriptor.of(CK_ULONG, JAVA_BYTE, POINTER, POINTER)),
    C_GetTokenInfo(6, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER)),
    C_GetMechanismList(7, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, POINTER)),
    C_GetMechanismInfo(8, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG, POINTER)),
    C_OpenSession(
        12, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG, POINTER, POINTER, POINTER)),
    C_CloseSession(13, FunctionDescriptor.of(CK_ULONG, CK_ULONG)),
    C_Login(18, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_Logout(19, FunctionDescriptor.of(CK_ULONG, CK_ULONG)),
    C_CreateObject(20, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG, POINTER)),
    C_DestroyObject(22, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG)),
    C_GetAttributeValue(24, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_SetAttributeValue(25, FunctionDescriptor.of(CK_ULONG, CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_FindObjectsInit(26, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_FindObjects(27, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG, POINTER)),
    C_FindObjectsFinal(28, FunctionDescriptor.of(CK_ULONG, CK_ULONG)),
    C_EncryptInit(29, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_Encrypt(30, dataInDataOut()),
    C_DecryptInit(33, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_Decrypt(34, dataInDataOut()),
    C_SignInit(42, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_Sign(43, dataInDataOut()),
    C_VerifyInit(48, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG)),
    C_Verify(49, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG, POINTER, CK_ULONG)),
    C_GenerateKey(
        58, FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, POINTER, CK_ULONG, POINTER)),
    C_GenerateKeyPair(
        59,
        FunctionDescriptor.of(
            CK_ULONG, CK_ULONG, POINTER, POINTER, CK_ULONG, POINTER, CK_ULONG, POINTER, POINTER));

    final int index;
    final FunctionDescriptor descriptor;

    Fn(int index, FunctionDescriptor descriptor) {
      this.index = index;
      this.descriptor = descriptor;
    }

    /** {@code (hSession, pData, ulDataLen, pOut, pulOutLen)}, shared by Sign/Encrypt/Decrypt. */
    private static FunctionDescriptor dataInDataOut() {
      return FunctionDescriptor.of(CK_ULONG, CK_ULONG, POINTER, CK_ULONG, POINTER, POINTER);
    }
  }

  /** The highest index bound, which sizes the slice of the function list that is read. */
  private static final int LAST_INDEX = Fn.C_GenerateKeyPair.index;

  private final Path path;
  private final String where;
  private final Map<Fn, MethodHandle> functions;

  private Cryptoki(Path path, Map<Fn, MethodHandle> functions) {
    this.path = path;
    this.where = "PKCS#11 module " + path;
    this.functions = functions;
  }

  /**
   * Loads the shared library at {@code path} (already canonical) and binds its function list. The
   * library stays loaded for the life of the process: unloading PKCS#11 modules that link OpenSSL
   * is a known source of crashes at exit, and reloading gains nothing.
   */
  @SuppressWarnings("restricted") // loading native code is what this class is for
  static Cryptoki load(Path path) {
    if (LINKER.canonicalLayouts().get("long") instanceof ValueLayout cLong
        && cLong.byteSize() != Long.BYTES) {
      throw new Pkcs11Exception(
          "this PKCS#11 binding needs a platform where C long (CK_ULONG) is 8 bytes, such as"
              + " Linux or macOS on 64-bit hardware");
    }
    SymbolLookup library;
    try {
      library = SymbolLookup.libraryLookup(path, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new Pkcs11Exception(
          path
              + " cannot be loaded as a shared library ("
              + e.getMessage()
              + "); give the path of a PKCS#11 module, such as"
              + " /usr/lib/softhsm/libsofthsm2.so",
          e);
    }
    MemorySegment getFunctionList =
        library
            .find("C_GetFunctionList")
            .orElseThrow(() ->
                new Pkcs11Exception(
                    path
                        + " is a shared library but not a PKCS#11 module: it exports no"
                        + " C_GetFunctionList"));
    MethodHandle handle =
        LINKER.downcallHandle(getFunctionList, FunctionDescriptor.of(CK_ULONG, POINTER));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(POINTER);
      long rv = invoke(handle, h -> (long) h.invokeExact(out));
      if (rv != CKR_OK) {
        throw new CkrException("C_GetFunctionList", rv, "PKCS#11 module " + path);
      }
      MemorySegment list = out.get(POINTER, 0);
      if (list.equals(MemorySegment.NULL)) {
        throw new Pkcs11Exception(
            "PKCS#11 module " + path + " returned no function list from C_GetFunctionList");
      }
      list = list.reinterpret(8L + 8L * (LAST_INDEX + 1));
      int major = Byte.toUnsignedInt(list.get(JAVA_BYTE, 0));
      if (major < 2) {
        throw new Pkcs11Exception(
            "PKCS#11 module "
                + path
                + " implements Cryptoki "
                + major
                + ".x; Graft needs 2.x or 3.x");
      }
      Map<Fn, MethodHandle> functions = new EnumMap<>(Fn.class);
      for (Fn fn : Fn.values()) {
        MemorySegment pointer = list.get(POINTER, 8L + 8L * fn.index);
        if (!pointer.equals(MemorySegment.NULL)) {
          functions.put(fn, LINKER.downcallHandle(pointer, fn.descriptor));
        }
      }
      return new Cryptoki(path, functions);
    }
  }

  public Path path() {
    return path;
  }

  /**
   * {@code C_Initialize} asking the library to use operating-system locking, so it is safe to call
   * from several threads. Returns false when the module was already initialised by someone else in
   * this process (another library, for example), in which case it must not be finalised by us.
   */
  boolean initialize() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment args = arena.allocate(CK_C_INITIALIZE_ARGS);
      args.set(CK_ULONG, offset(CK_C_INITIALIZE_ARGS, "flags"), Pkcs11Constants.CKF_OS_LOCKING_OK);
      long rv = call(Fn.C_Initialize, h -> (long) h.invokeExact(args));
      if (rv == Ckr.CKR_CRYPTOKI_ALREADY_INITIALIZED.code()) {
        return false;
      }
      check(Fn.C_Initialize, rv);
      return true;
    }
  }

  /** {@code C_Finalize}: closes every session of this process with the module. */
  void finalizeModule() {
    long rv = call(Fn.C_Finalize, h -> (long) h.invokeExact(MemorySegment.NULL));
    if (rv != Ckr.CKR_CRYPTOKI_NOT_INITIALIZED.code()) {
      check(Fn.C_Finalize, rv);
    }
  }

  public LibraryDescription describe() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_INFO);
      check(Fn.C_GetInfo, call(Fn.C_GetInfo, h -> (long) h.invokeExact(info)));
      return new LibraryDescription(
          version(info, offset(CK_INFO, "cryptokiVersion")),
          text(info, offset(CK_INFO, "manufacturerID"), 32),
          text(info, offset(CK_INFO, "libraryDescription"), 32),
          version(info, offset(CK_INFO, "libraryVersion")));
    }
  }

  /** {@code C_GetSlotList}; with {@code tokenPresent} only the slots that hold a token. */
  public long[] slots(boolean tokenPresent) {
    byte present = (byte) (tokenPresent ? 1 : 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(CK_ULONG);
      for (int attempt = 1; ; attempt++) {
        check(
            Fn.C_GetSlotList,
            call(Fn.C_GetSlotList, h -> (long) h.invokeExact(present, MemorySegment.NULL, count)));
        long n = count.get(CK_ULONG, 0);
        if (n == 0) {
          return new long[0];
        }
        MemorySegment list = arena.allocate(CK_ULONG, n);
        long rv = call(Fn.C_GetSlotList, h -> (long) h.invokeExact(present, list, count));
        // A slot appeared between the two calls: ask again, a few times.
        if (rv == Ckr.CKR_BUFFER_TOO_SMALL.code() && attempt < LIST_ATTEMPTS) {
          continue;
        }
        check(Fn.C_GetSlotList, rv);
        return ulongs(list, n, count.get(CK_ULONG, 0), Fn.C_GetSlotList);
      }
    }
  }

  public TokenDescription tokenDescription(long slot) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_TOKEN_INFO);
      check(Fn.C_GetTokenInfo, call(Fn.C_GetTokenInfo, h -> (long) h.invokeExact(slot, info)));
      return new TokenDescription(
          text(info, offset(CK_TOKEN_INFO, "label"), 32),
          text(info, offset(CK_TOKEN_INFO, "manufacturerID"), 32),
          text(info, offset(CK_TOKEN_INFO, "model"), 16),
          text(info, offset(CK_TOKEN_INFO, "serialNumber"), 16),
          info.get(CK_ULONG, offset(CK_TOKEN_INFO, "flags")),
          info.get(CK_ULONG, offset(CK_TOKEN_INFO, "ulMaxSessionCount")),
          info.get(CK_ULONG, offset(CK_TOKEN_INFO, "ulMaxRwSessionCount")));
    }
  }

  public long[] mechanisms(long slot) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(CK_ULONG);
      for (int attempt = 1; ; attempt++) {
        check(
            Fn.C_GetMechanismList,
            call(
                Fn.C_GetMechanismList, h -> (long) h.invokeExact(slot, MemorySegment.NULL, count)));
        long n = count.get(CK_ULONG, 0);
        if (n == 0) {
          return new long[0];
        }
        MemorySegment list = arena.allocate(CK_ULONG, n);
        long rv = call(Fn.C_GetMechanismList, h -> (long) h.invokeExact(slot, list, count));
        if (rv == Ckr.CKR_BUFFER_TOO_SMALL.code() && attempt < LIST_ATTEMPTS) {
          continue;
        }
        check(Fn.C_GetMechanismList, rv);
        return ulongs(list, n, count.get(CK_ULONG, 0), Fn.C_GetMechanismList);
      }
    }
  }

  /** {@code C_GetMechanismInfo}, or empty when the token does not have the mechanism. */
  public Optional<MechanismCapabilities> mechanismCapabilities(long slot, long mechanism) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_MECHANISM_INFO);
      long rv = call(Fn.C_GetMechanismInfo, h -> (long) h.invokeExact(slot, mechanism, info));
      if (rv == Ckr.CKR_MECHANISM_INVALID.code()) {
        return Optional.empty();
      }
      check(Fn.C_GetMechanismInfo, rv);
      return Optional.of(
          new MechanismCapabilities(
              mechanism,
              info.get(CK_ULONG, offset(CK_MECHANISM_INFO, "ulMinKeySize")),
              info.get(CK_ULONG, offset(CK_MECHANISM_INFO, "ulMaxKeySize")),
              info.get(CK_ULONG, offset(CK_MECHANISM_INFO, "flags"))));
    }
  }

  /** {@code C_OpenSession} without a notification callback. */
  public long openSession(long slot, long flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment session = arena.allocate(CK_ULONG);
      check(
          Fn.C_OpenSession,
          call(
              Fn.C_OpenSession,
              h ->
                  (long)
                      h.invokeExact(slot, flags, MemorySegment.NULL, MemorySegment.NULL, session)));
      return session.get(CK_ULONG, 0);
    }
  }

  public void closeSession(long session) {
    check(Fn.C_CloseSession, call(Fn.C_CloseSession, h -> (long) h.invokeExact(session)));
  }

  /**
   * {@code C_Login} with the PIN encoded as UTF-8. The caller's array is left as it is (the caller
   * clears it); every copy made here, on the heap and in native memory, is zeroed before return.
   *
   * @return false when this user type was already logged in to the token (PKCS#11 login state is
   *     shared by all sessions of the process with one token)
   */
  public boolean login(long session, long userType, char[] pin) {
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
    ByteBuffer encoded = ByteBuffer.allocate((int) (pin.length * encoder.maxBytesPerChar()));
    CoderResult result = encoder.encode(CharBuffer.wrap(pin), encoded, true);
    if (result.isError()) {
      Arrays.fill(encoded.array(), (byte) 0);
      throw new Pkcs11Exception("the PIN is not valid Unicode text (it has an unpaired surrogate)");
    }
    encoder.flush(encoded);
    byte[] bytes = Arrays.copyOf(encoded.array(), encoded.position());
    Arrays.fill(encoded.array(), (byte) 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment nativePin = arena.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, nativePin, JAVA_BYTE, 0, bytes.length);
      long length = bytes.length;
      try {
        long rv = call(Fn.C_Login, h -> (long) h.invokeExact(session, userType, nativePin, length));
        if (rv == Ckr.CKR_USER_ALREADY_LOGGED_IN.code()) {
          return false;
        }
        check(Fn.C_Login, rv);
        return true;
      } finally {
        nativePin.fill((byte) 0);
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  public void logout(long session) {
    long rv = call(Fn.C_Logout, h -> (long) h.invokeExact(session));
    if (rv != Ckr.CKR_USER_NOT_LOGGED_IN.code()) {
      check(Fn.C_Logout, rv);
    }
  }

  /**
   * {@code C_FindObjectsInit}, {@code C_FindObjects} until the token has no more, and always {@code
   * C_FindObjectsFinal}, so the session is left without an active search.
   *
   * @param limit the most handles wanted; the search stops there
   */
  public long[] findObjects(long session, List<Attribute> template, int limit) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attributes = template(arena, template);
      long count = template.size();
      check(
          Fn.C_FindObjectsInit,
          call(Fn.C_FindObjectsInit, h -> (long) h.invokeExact(session, attributes, count)));
      boolean searched = false;
      try {
        MemorySegment batch = arena.allocate(CK_ULONG, FIND_BATCH);
        MemorySegment found = arena.allocate(CK_ULONG);
        long[] handles = new long[0];
        while (handles.length < limit) {
          long max = Math.min(FIND_BATCH, limit - handles.length);
          check(
              Fn.C_FindObjects,
              call(Fn.C_FindObjects, h -> (long) h.invokeExact(session, batch, max, found)));
          long n = found.get(CK_ULONG, 0);
          if (n == 0) {
            break;
          }
          if (n < 0 || n > max) {
            throw new Pkcs11Exception(
                where + ": C_FindObjects reported " + n + " objects for a buffer of " + max);
          }
          long[] more = batch.asSlice(0, n * CK_ULONG.byteSize()).toArray(CK_ULONG);
          long[] grown = Arrays.copyOf(handles, handles.length + more.length);
          System.arraycopy(more, 0, grown, handles.length, more.length);
          handles = grown;
        }
        searched = true;
        return handles;
      } finally {
        long rv = call(Fn.C_FindObjectsFinal, h -> (long) h.invokeExact(session));
        // After a failed search its own error is the one to report, not this one.
        if (searched) {
          check(Fn.C_FindObjectsFinal, rv);
        }
      }
    }
  }

  /**
   * One attribute's value, or empty when the token will not give it: the object lacks it ({@code
   * CKR_ATTRIBUTE_TYPE_INVALID}) or it is sensitive ({@code CKR_ATTRIBUTE_SENSITIVE}).
   */
  public Optional<byte[]> attribute(long session, long object, long type) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attribute = arena.allocate(CK_ATTRIBUTE);
      attribute.set(CK_ULONG, offset(CK_ATTRIBUTE, "type"), type);
      attribute.set(POINTER, offset(CK_ATTRIBUTE, "pValue"), MemorySegment.NULL);
      long lengthOffset = offset(CK_ATTRIBUTE, "ulValueLen");
      long rv =
          call(Fn.C_GetAttributeValue, h -> (long) h.invokeExact(session, object, attribute, 1L));
      if (rv == Ckr.CKR_ATTRIBUTE_SENSITIVE.code() || rv == Ckr.CKR_ATTRIBUTE_TYPE_INVALID.code()) {
        return Optional.empty();
      }
      check(Fn.C_GetAttributeValue, rv);
      long length = attribute.get(CK_ULONG, lengthOffset);
      if (length == Pkcs11Constants.CK_UNAVAILABLE_INFORMATION) {
        return Optional.empty();
      }
      if (length < 0 || length > Integer.MAX_VALUE - 8) {
        throw new Pkcs11Exception(where + ": C_GetAttributeValue reported a length of " + length);
      }
      if (length == 0) {
        return Optional.of(new byte[0]);
      }
      MemorySegment value = arena.allocate(length);
      attribute.set(POINTER, offset(CK_ATTRIBUTE, "pValue"), value);
      check(
          Fn.C_GetAttributeValue,
          call(Fn.C_GetAttributeValue, h -> (long) h.invokeExact(session, object, attribute, 1L)));
      long written = attribute.get(CK_ULONG, lengthOffset);
      if (written < 0 || written > length) {
        throw new Pkcs11Exception(
            where + ": C_GetAttributeValue wrote " + written + " bytes into " + length);
      }
      return Optional.of(value.asSlice(0, written).toArray(JAVA_BYTE));
    }
  }

  public long createObject(long session, List<Attribute> template) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attributes = template(arena, template);
      long count = template.size();
      MemorySegment object = arena.allocate(CK_ULONG);
      check(
          Fn.C_CreateObject,
          call(Fn.C_CreateObject, h -> (long) h.invokeExact(session, attributes, count, object)));
      return object.get(CK_ULONG, 0);
    }
  }

  /**
   * {@code C_SetAttributeValue}: changes attributes of an object. Tokens refuse it for objects
   * created with {@code CKA_MODIFIABLE} false ({@code CKR_ACTION_PROHIBITED} or {@code
   * CKR_ATTRIBUTE_READ_ONLY}).
   */
  public void setAttributes(long session, long object, List<Attribute> template) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attributes = template(arena, template);
      long count = template.size();
      check(
          Fn.C_SetAttributeValue,
          call(
              Fn.C_SetAttributeValue,
              h -> (long) h.invokeExact(session, object, attributes, count)));
    }
  }

  public void destroyObject(long session, long object) {
    check(Fn.C_DestroyObject, call(Fn.C_DestroyObject, h -> (long) h.invokeExact(session, object)));
  }

  public KeyPairHandles generateKeyPair(
      long session,
      Mechanism mechanism,
      List<Attribute> publicTemplate,
      List<Attribute> privateTemplate) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      MemorySegment pub = template(arena, publicTemplate);
      MemorySegment priv = template(arena, privateTemplate);
      long pubCount = publicTemplate.size();
      long privCount = privateTemplate.size();
      MemorySegment pubHandle = arena.allocate(CK_ULONG);
      MemorySegment privHandle = arena.allocate(CK_ULONG);
      check(
          Fn.C_GenerateKeyPair,
          call(
              Fn.C_GenerateKeyPair,
              h ->
                  (long)
                      h.invokeExact(
                          session, mech, pub, pubCount, priv, privCount, pubHandle, privHandle)));
      return new KeyPairHandles(pubHandle.get(CK_ULONG, 0), privHandle.get(CK_ULONG, 0));
    }
  }

  public long generateKey(long session, Mechanism mechanism, List<Attribute> template) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      MemorySegment attributes = template(arena, template);
      long count = template.size();
      MemorySegment key = arena.allocate(CK_ULONG);
      check(
          Fn.C_GenerateKey,
          call(Fn.C_GenerateKey, h -> (long) h.invokeExact(session, mech, attributes, count, key)));
      return key.get(CK_ULONG, 0);
    }
  }

  /** {@code C_SignInit} and a single-part {@code C_Sign}. */
  public byte[] sign(long session, Mechanism mechanism, long key, byte[] data) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      check(Fn.C_SignInit, call(Fn.C_SignInit, h -> (long) h.invokeExact(session, mech, key)));
      return singlePart(arena, Fn.C_Sign, session, data, SIGNATURE_GUESS, false);
    }
  }

  /**
   * {@code C_VerifyInit} and a single-part {@code C_Verify}: true when the signature verifies,
   * false when the token says it does not ({@code CKR_SIGNATURE_INVALID} or {@code
   * CKR_SIGNATURE_LEN_RANGE}); any other failure is an exception.
   */
  public boolean verify(
      long session, Mechanism mechanism, long key, byte[] data, byte[] signature) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      check(Fn.C_VerifyInit, call(Fn.C_VerifyInit, h -> (long) h.invokeExact(session, mech, key)));
      MemorySegment in = bytes(arena, data);
      MemorySegment sig = bytes(arena, signature);
      long inLength = data.length;
      long sigLength = signature.length;
      long rv = call(Fn.C_Verify, h -> (long) h.invokeExact(session, in, inLength, sig, sigLength));
      if (rv == Ckr.CKR_SIGNATURE_INVALID.code() || rv == Ckr.CKR_SIGNATURE_LEN_RANGE.code()) {
        return false;
      }
      check(Fn.C_Verify, rv);
      return true;
    }
  }

  /** {@code C_EncryptInit} and a single-part {@code C_Encrypt}; the native plaintext is zeroed. */
  public byte[] encrypt(long session, Mechanism mechanism, long key, byte[] plaintext) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      check(
          Fn.C_EncryptInit, call(Fn.C_EncryptInit, h -> (long) h.invokeExact(session, mech, key)));
      return singlePart(arena, Fn.C_Encrypt, session, plaintext, plaintext.length + 64L, true);
    }
  }

  /** {@code C_DecryptInit} and a single-part {@code C_Decrypt}; native plaintext is zeroed. */
  public byte[] decrypt(long session, Mechanism mechanism, long key, byte[] ciphertext) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mech = mechanism(arena, mechanism);
      check(
          Fn.C_DecryptInit, call(Fn.C_DecryptInit, h -> (long) h.invokeExact(session, mech, key)));
      return singlePart(arena, Fn.C_Decrypt, session, ciphertext, ciphertext.length + 64L, true);
    }
  }

  /**
   * The second half of a single-part operation, with the output buffer sized by a guess. If the
   * guess is short the token answers {@code CKR_BUFFER_TOO_SMALL} with the size it needs, and the
   * operation stays active for exactly one more call (PKCS#11 5.2, "conventions for functions
   * returning output in a variable-length buffer").
   */
  private byte[] singlePart(
      Arena arena, Fn fn, long session, byte[] input, long guess, boolean secret) {
    MemorySegment in = bytes(arena, input);
    long inLength = input.length;
    MemorySegment outLength = arena.allocate(CK_ULONG);
    long size = Math.max(1, guess);
    try {
      for (int attempt = 0; ; attempt++) {
        MemorySegment out = arena.allocate(size);
        outLength.set(CK_ULONG, 0, size);
        long rv = call(fn, h -> (long) h.invokeExact(session, in, inLength, out, outLength));
        long written = outLength.get(CK_ULONG, 0);
        if (rv == Ckr.CKR_BUFFER_TOO_SMALL.code() && attempt == 0 && written > size) {
          if (secret) {
            out.fill((byte) 0);
          }
          size = written;
          continue;
        }
        check(fn, rv);
        if (written < 0 || written > size) {
          throw new Pkcs11Exception(
              where + ": " + fn + " wrote " + written + " bytes into a buffer of " + size);
        }
        byte[] result = out.asSlice(0, written).toArray(JAVA_BYTE);
        if (secret) {
          out.fill((byte) 0);
        }
        return result;
      }
    } finally {
      if (secret) {
        in.fill((byte) 0);
      }
    }
  }

  private MemorySegment mechanism(Arena arena, Mechanism mechanism) {
    MemorySegment mech = arena.allocate(CK_MECHANISM);
    mech.set(CK_ULONG, offset(CK_MECHANISM, "mechanism"), mechanism.type());
    switch (mechanism) {
      case Mechanism.Plain plain -> {
        mech.set(POINTER, offset(CK_MECHANISM, "pParameter"), MemorySegment.NULL);
        mech.set(CK_ULONG, offset(CK_MECHANISM, "ulParameterLen"), 0L);
      }
      case Mechanism.AesGcm gcm -> {
        MemorySegment params = arena.allocate(CK_GCM_PARAMS);
        params.set(POINTER, offset(CK_GCM_PARAMS, "pIv"), bytes(arena, gcm.iv()));
        params.set(CK_ULONG, offset(CK_GCM_PARAMS, "ulIvLen"), gcm.iv().length);
        params.set(CK_ULONG, offset(CK_GCM_PARAMS, "ulIvBits"), 8L * gcm.iv().length);
        params.set(
            POINTER,
            offset(CK_GCM_PARAMS, "pAAD"),
            gcm.aad().length == 0 ? MemorySegment.NULL : bytes(arena, gcm.aad()));
        params.set(CK_ULONG, offset(CK_GCM_PARAMS, "ulAADLen"), gcm.aad().length);
        params.set(CK_ULONG, offset(CK_GCM_PARAMS, "ulTagBits"), gcm.tagBits());
        mech.set(POINTER, offset(CK_MECHANISM, "pParameter"), params);
        mech.set(CK_ULONG, offset(CK_MECHANISM, "ulParameterLen"), CK_GCM_PARAMS.byteSize());
      }
    }
    return mech;
  }

  private static MemorySegment template(Arena arena, List<Attribute> template) {
    if (template.isEmpty()) {
      return MemorySegment.NULL;
    }
    MemorySegment array = arena.allocate(CK_ATTRIBUTE, template.size());
    for (int i = 0; i < template.size(); i++) {
      Attribute attribute = template.get(i);
      MemorySegment element = array.asSlice(i * CK_ATTRIBUTE.byteSize(), CK_ATTRIBUTE);
      element.set(CK_ULONG, offset(CK_ATTRIBUTE, "type"), attribute.type());
      element.set(POINTER, offset(CK_ATTRIBUTE, "pValue"), bytes(arena, attribute.value()));
      element.set(CK_ULONG, offset(CK_ATTRIBUTE, "ulValueLen"), attribute.length());
    }
    return array;
  }

  /** The first {@code written} of {@code capacity} CK_ULONGs a list call filled in. */
  private long[] ulongs(MemorySegment list, long capacity, long written, Fn fn) {
    if (written < 0 || written > capacity) {
      throw new Pkcs11Exception(
          where + ": " + fn + " wrote " + written + " entries into a list of " + capacity);
    }
    return list.asSlice(0, written * CK_ULONG.byteSize()).toArray(CK_ULONG);
  }

  private static MemorySegment bytes(Arena arena, byte[] data) {
    MemorySegment segment = arena.allocate(Math.max(1, data.length));
    MemorySegment.copy(data, 0, segment, JAVA_BYTE, 0, data.length);
    return segment;
  }

  private static long offset(StructLayout layout, String member) {
    return layout.byteOffset(PathElement.groupElement(member));
  }

  /** A blank-padded, not NUL-terminated {@code CK_UTF8CHAR} field. */
  private static String text(MemorySegment struct, long offset, int length) {
    byte[] raw = struct.asSlice(offset, length).toArray(JAVA_BYTE);
    int end = raw.length;
    while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == 0)) {
      end--;
    }
    return new String(raw, 0, end, StandardCharsets.UTF_8);
  }

  private static String version(MemorySegment struct, long offset) {
    return Byte.toUnsignedInt(struct.get(JAVA_BYTE, offset))
        + "."
        + Byte.toUnsignedInt(struct.get(JAVA_BYTE, offset + 1));
  }

  private void check(Fn fn, long rv) {
    if (rv != CKR_OK) {
      throw new CkrException(fn.name(), rv, where);
    }
  }

  private long call(Fn fn, NativeCall nativeCall) {
    MethodHandle handle = functions.get(fn);
    if (handle == null) {
      throw new Pkcs11Exception(
          where + " does not provide " + fn.name() + " (its function list has no entry for it)");
    }
    return invoke(handle, nativeCall);
  }

  private static long invoke(MethodHandle handle, NativeCall nativeCall) {
    try {
      return nativeCall.invoke(handle);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      // invokeExact declares Throwable; a downcall throws nothing checked.
      throw new Pkcs11Exception("unexpected failure calling into a PKCS#11 module", e);
    }
  }

  /** One downcall; exists so each call site can use {@code invokeExact} with its exact types. */
  @FunctionalInterface
  private interface NativeCall {
    long invoke(MethodHandle handle) throws Throwable;
  }

  @Override
  public String toString() {
    return "Cryptoki[" + path + "]";
  }
}
