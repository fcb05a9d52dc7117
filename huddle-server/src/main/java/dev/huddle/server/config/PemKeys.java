package dev.huddle.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads an RSA public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
public final class PemKeys {
    private PemKeys() {
    }

    /** The key; an {@link IllegalArgumentException} that says what is wrong with the file otherwise. */
    public static RSAPublicKey readRsaPublicKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (pem.contains("BEGIN RSA PUBLIC KEY")) {
            throw new IllegalArgumentException(file + " holds a PKCS#1 key; convert it with "
                    + "'openssl rsa -RSAPublicKey_in -in key.pem -pubout' to a '-----BEGIN PUBLIC KEY-----' file");
        }
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " is not a PEM file with a '-----BEGIN PUBLIC KEY-----' block");
        }
        String base64 = pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(file + " does not hold an RSA public key: " + e.getMessage(), e);
        }
    }
}
