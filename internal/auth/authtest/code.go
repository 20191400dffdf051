package authtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The provider's authorization-code flow (OpenID Connect core 3.1 with PKCE, RFC 7636): a
// client registered with RegisterClient sends the browser to /authorize, which logs in the user
// set by LoginAs without asking and redirects back with a code; /token exchanges the code, once,
// for an ID token (aud = the client) and an access token (aud = Audience, the API's), both
// RS256. Only S256 code challenges are accepted, and the verifier must match.

type client struct{ secret, redirectURI string }

type grant struct {
	clientID, redirectURI, nonce, challenge string
	claims                                  jwt.MapClaims
	issued                                  time.Time
}

type codeFlow struct {
	mu      sync.Mutex
	clients map[string]client
	user    jwt.MapClaims
	codes   map[string]grant
	// Exchanges counts successful code exchanges.
	exchanges int
	// lastChallengeMethod is what the last /authorize request asked for.
	lastChallengeMethod string
}

// RegisterClient lets a client with this ID, secret ("" for a public client) and redirect URI
// use the code flow.
func (p *IdP) RegisterClient(id, secret, redirectURI string) {
	p.flow.mu.Lock()
	defer p.flow.mu.Unlock()
	p.flow.clients[id] = client{secret: secret, redirectURI: redirectURI}
}

// LoginAs sets who logs in at /authorize: these claims (sub, role, jobcenter, ...) go into the
// access token, and sub, name and email into the ID token. Nil makes /authorize answer
// error=access_denied, as when the user cancels.
func (p *IdP) LoginAs(claims jwt.MapClaims) {
	p.flow.mu.Lock()
	defer p.flow.mu.Unlock()
	p.flow.user = claims
}

// Exchanges counts the codes exchanged for tokens so far.
func (p *IdP) Exchanges() int {
	p.flow.mu.Lock()
	defer p.flow.mu.Unlock()
	return p.flow.exchanges
}

// LastChallengeMethod is the code_challenge_method of the last authorization request.
func (p *IdP) LastChallengeMethod() string {
	p.flow.mu.Lock()
	defer p.flow.mu.Unlock()
	return p.flow.lastChallengeMethod
}

func (p *IdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := &p.flow
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastChallengeMethod = q.Get("code_challenge_method")
	c, ok := f.clients[q.Get("client_id")]
	if !ok || q.Get("redirect_uri") != c.redirectURI {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(c.redirectURI)
	v := back.Query()
	v.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code":
		v.Set("error", "unsupported_response_type")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		v.Set("error", "invalid_request")
		v.Set("error_description", "PKCE with S256 is required")
	case f.user == nil:
		v.Set("error", "access_denied")
	default:
		code := randomString()
		f.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: c.redirectURI, nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), claims: f.user, issued: time.Now()}
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *IdP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	f := &p.flow
	f.mu.Lock()
	g, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code")) // a code is good once
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c := f.clients[clientID]
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code":
		tokenError(w, "unsupported_grant_type")
		return
	case !ok || g.clientID != clientID || time.Since(g.issued) > time.Minute:
		tokenError(w, "invalid_grant")
		return
	case c.secret != secret:
		tokenError(w, "invalid_client")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant") // the PKCE verifier does not match the challenge
		return
	}
	now := time.Now()
	access := jwt.MapClaims{"iss": p.Issuer, "aud": Audience, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range g.claims {
		access[k] = v
	}
	id := jwt.MapClaims{"iss": p.Issuer, "aud": g.clientID, "sub": g.claims["sub"], "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for _, k := range []string{"name", "email"} {
		if v, ok := g.claims[k]; ok {
			id[k] = v
		}
	}
	accessToken, err1 := jwt.NewWithClaims(jwt.SigningMethodRS256, access).SignedString(p.RSA)
	idTok := jwt.NewWithClaims(jwt.SigningMethodRS256, id)
	idTok.Header["kid"] = RSAKeyID
	idToken, err2 := idTok.SignedString(p.RSA)
	if err1 != nil || err2 != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	f.mu.Lock()
	f.exchanges++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": accessToken, "id_token": idToken, "token_type": "Bearer", "expires_in": 3600,
	})
}

func tokenError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
