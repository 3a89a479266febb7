"""eMRTD (ICAO 9303 passport chip) reading: TLV, APDUs, Secure Messaging, BAC/PACE, LDS, PA/AA, reader service."""
