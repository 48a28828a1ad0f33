package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Message;
import io.pgnode.plugin.xray.api.HysteriaAccount;
import io.pgnode.plugin.xray.api.Shadowsocks2022Account;
import io.pgnode.plugin.xray.api.ShadowsocksAccount;
import io.pgnode.plugin.xray.api.TrojanAccount;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.plugin.xray.api.VlessAccount;
import io.pgnode.plugin.xray.api.VmessAccount;
import java.io.IOException;

/**
 * One user's credentials as one inbound needs them, already adjusted to that inbound (VLESS flow, SS2022
 * key size). Two equal accounts mean "nothing to change" when user sets are compared. {@code toString}
 * never shows a secret in full.
 */
sealed interface InboundAccount {

    /** The level every managed user gets; the rendered policy enables user stats on it. */
    int LEVEL = 0;

    /** The credential itself (id, password, key or auth): what must never reach a log or an error in full. */
    String secret();

    /** Writes the fields of this user's entry in the inbound's JSON {@code clients} (besides email and level). */
    void writeJsonFields(JsonGenerator json) throws IOException;

    /** The account as the core's AlterInbound expects it, typed for the flavor. */
    TypedMessage toTypedMessage(CoreFlavor flavor);

    private static TypedMessage typed(CoreFlavor flavor, String relativeName, Message message) {
        return TypedMessage.newBuilder()
                .setType(flavor.typeName(relativeName))
                .setValue(message.toByteString())
                .build();
    }

    /** Shows the first four characters and the length, as the SPI's own records do. */
    static String mask(String secret) {
        return secret.length() <= 8 ? "***" : secret.substring(0, 4) + "…(" + secret.length() + ")";
    }

    record Vmess(AccountId id) implements InboundAccount {
        public Vmess {
            requireNonNull(id, "id is null");
        }

        Vmess(String id) {
            this(AccountId.of(id));
        }

        @Override
        public String secret() {
            return id.text();
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("id", id.text());
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.vmess.Account", VmessAccount.newBuilder().setId(id.text()).build());
        }

        @Override
        public String toString() {
            return "Vmess[id=" + id + "]";
        }
    }

    record Vless(AccountId id, String flow) implements InboundAccount {
        public Vless {
            requireNonNull(id, "id is null");
            requireNonNull(flow, "flow is null");
        }

        Vless(String id, String flow) {
            this(AccountId.of(id), flow);
        }

        @Override
        public String secret() {
            return id.text();
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("id", id.text());
            if (!flow.isEmpty()) {
                json.writeStringField("flow", flow);
            }
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.vless.Account",
                    VlessAccount.newBuilder().setId(id.text()).setFlow(flow).build());
        }

        @Override
        public String toString() {
            return "Vless[id=" + id + ", flow=" + flow + "]";
        }
    }

    record Trojan(String password) implements InboundAccount {
        public Trojan {
            requireNonNull(password, "password is null");
        }

        @Override
        public String secret() {
            return password;
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("password", password);
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.trojan.Account", TrojanAccount.newBuilder().setPassword(password).build());
        }

        @Override
        public String toString() {
            return "Trojan[password=" + mask(password) + "]";
        }
    }

    /** Classic Shadowsocks; {@code method} is the canonical name, valid for the flavor it was resolved for. */
    record Shadowsocks(String password, String method, int cipherNumber) implements InboundAccount {
        public Shadowsocks {
            requireNonNull(password, "password is null");
            requireNonNull(method, "method is null");
        }

        @Override
        public String secret() {
            return password;
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("method", method);
            json.writeStringField("password", password);
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.shadowsocks.Account",
                    ShadowsocksAccount.newBuilder().setPassword(password).setCipherType(cipherNumber).build());
        }

        @Override
        public String toString() {
            return "Shadowsocks[password=" + mask(password) + ", method=" + method + "]";
        }
    }

    /** Shadowsocks 2022 (Xray): the user's base64 PSK, sized for the inbound's method. */
    record Shadowsocks2022(String key) implements InboundAccount {
        public Shadowsocks2022 {
            requireNonNull(key, "key is null");
        }

        @Override
        public String secret() {
            return key;
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("password", key);
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.shadowsocks_2022.Account", Shadowsocks2022Account.newBuilder().setKey(key).build());
        }

        @Override
        public String toString() {
            return "Shadowsocks2022[key=" + mask(key) + "]";
        }
    }

    /** Hysteria 2 (Xray). */
    record Hysteria(String auth) implements InboundAccount {
        public Hysteria {
            requireNonNull(auth, "auth is null");
        }

        @Override
        public String secret() {
            return auth;
        }

        @Override
        public void writeJsonFields(JsonGenerator json) throws IOException {
            json.writeStringField("auth", auth);
        }

        @Override
        public TypedMessage toTypedMessage(CoreFlavor flavor) {
            return typed(flavor, "proxy.hysteria.account.Account", HysteriaAccount.newBuilder().setAuth(auth).build());
        }

        @Override
        public String toString() {
            return "Hysteria[auth=" + mask(auth) + "]";
        }
    }
}
