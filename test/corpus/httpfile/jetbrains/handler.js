client.global.set("auth", response.body.token);
